package io.github.lossforge.segmentation.topology;

import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Choice;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.ParamSpec;

/**
 * The Betti matching loss: the persistence barcodes (dimensions 0 and 1) of the prediction P and of
 * the ground truth G are matched through the comparison image C = max(P, G) (superlevel; min for
 * sublevel), and every matched pair and every unmatched interval is penalised:
 * \[ L = \sum_{(p, g)\ \text{matched}} 2\big[(b_p - b_g)^2 + (d_p - d_g)^2\big]
 *      + \sum_{p\ \text{unmatched}} (b_p - d_p)^2 + \sum_{g\ \text{unmatched}} (b_g - d_g)^2, \]
 * per image, the essential class's infinite death replaced by 0 (superlevel) or 1 (sublevel). This
 * is twice the squared-L2 matching cost with unmatched points sent to the diagonal. The gradient
 * reaches only the pixels that carry the birth and death values of P's intervals (a sparse scatter);
 * on a plateau the pixel that first reaches a cube in the cube order gets all of it (see
 * {@link CubicalPersistence} for the order, which is the official code's).
 *
 * <p>The persistence is computed in Java on the CPU in O(n log n) per image (union-find for
 * dimension 0, duality for dimension 1, union-find image persistence, matching through arrays
 * indexed by cube); the loss is then assembled on the engine by gathering the birth and death
 * pixels.
 *
 * <p>Slots: predictions[0] probabilities (N, 1, H, W) (logits with {@code fromLogits}); labels[0]
 * ground truth (N, 1, H, W), 0/1 of any numeric or boolean dtype. Reduction {@code none} gives (N).
 *
 * <p>Parameters: {@code filtration} ({@code superlevel} | {@code sublevel}, default superlevel),
 * {@code relative} (false: true pads each image, G and C with a 1-pixel border of their own maximum
 * (minimum for sublevel), so components touching the border merge; the border's gradient goes to the
 * prediction's extreme pixel), {@code fromLogits} (false: true applies a sigmoid first),
 * {@code reduction} (mean over images).
 *
 * <p>Paper: Nico Stucki, Johannes C. Paetzold, Suprosanna Shit, Bjoern Menze, Ulrich Bauer,
 * "Topologically Faithful Image Segmentation via Induced Matching of Persistence Barcodes", ICML 2023,
 * arXiv 2211.15272.
 *
 * <p>Differs from the official code (nstucki/Betti-matching): values are kept in the input's dtype
 * (the official stores cube values in a float32 map, a ~1e-6 difference for float64 inputs); the
 * computation is O(n log n) instead of O(n²); relative mode runs on the CPU (the official calls
 * {@code .cuda()} in training); the loss is not combined with Dice here (add a {@link
 * io.github.lossforge.segmentation.overlap.DiceLoss} yourself, the configs use Dice + 0.5·Betti).
 */
public final class BettiMatchingLoss extends TopologyLoss {

    /** The registry id. */
    public static final String ID = "betti-matching";

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, BettiMatchingLoss.class)
                    .paper("Stucki, Paetzold, Shit, Menze, Bauer: Topologically Faithful Image Segmentation via"
                            + " Induced Matching of Persistence Barcodes, ICML 2023, arXiv 2211.15272")
                    .prediction("P0 probabilities (N,1,H,W)")
                    .label("L0 ground truth (N,1,H,W) 0/1")
                    .example("beside dice: examples/run-examples.sh segmentation.RingSegmentation")
                    .param(ParamSpec.word("filtration", Filtration.SUPERLEVEL, "superlevel or sublevel sets"))
                    .param(ParamSpec.bool("relative", false, "pad with a border of the image's extreme value"))
                    .param(ParamSpec.bool("fromLogits", false, "apply a sigmoid to predictions first"))
                    .factory(p -> builder()
                            .optFiltration(p.word("filtration"))
                            .optRelative(p.bool("relative"))
                            .optFromLogits(p.bool("fromLogits"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private BettiMatchingLoss(Builder b) {
        super(ID, b.reduction(), b.filtration, b.relative, b.fromLogits);
    }

    /**
     * Starts a builder.
     *
     * @return a builder with the defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    void collect(double[] predicted, double[] truth, double[] comparison, int rows, int cols, DiagramTerms terms) {
        CubicalPersistence p = new CubicalPersistence(predicted, rows, cols, superlevel());
        CubicalPersistence g = new CubicalPersistence(truth, rows, cols, superlevel());
        CubicalPersistence c = new CubicalPersistence(comparison, rows, cols, superlevel());
        BettiMatching matching = new BettiMatching(p, g, c);
        double essential = essentialDeath();
        for (BettiMatching.Match m : matching.matched()) {
            IntPairs ps = p.intervals(m.dim());
            IntPairs gs = g.intervals(m.dim());
            int birth = ps.first(m.predicted());
            int death = ps.second(m.predicted());
            double truthBirth = g.valueOf(gs.first(m.truth()));
            int truthDeathIndex = gs.second(m.truth());
            double truthDeath = truthDeathIndex == CubicalPersistence.ESSENTIAL
                    ? essential
                    : g.valueOf(truthDeathIndex);
            terms.pixelMinusConstant(2, p.pixelOf(birth), truthBirth);
            if (death == CubicalPersistence.ESSENTIAL) {
                terms.constant(2 * (essential - truthDeath) * (essential - truthDeath));
            } else {
                terms.pixelMinusConstant(2, p.pixelOf(death), truthDeath);
            }
        }
        for (int dim = 0; dim < 2; dim++) {
            IntPairs ps = p.intervals(dim);
            for (int k = 0; k < ps.size(); k++) {
                if (matching.predictedMatched(dim, k)) {
                    continue;
                }
                if (ps.second(k) == CubicalPersistence.ESSENTIAL) {
                    terms.pixelMinusConstant(1, p.pixelOf(ps.first(k)), essential);
                } else {
                    terms.pixelMinusPixel(1, p.pixelOf(ps.first(k)), p.pixelOf(ps.second(k)));
                }
            }
            IntPairs gs = g.intervals(dim);
            for (int k = 0; k < gs.size(); k++) {
                if (!matching.truthMatched(dim, k)) {
                    double b = g.valueOf(gs.first(k));
                    double d = gs.second(k) == CubicalPersistence.ESSENTIAL ? essential : g.valueOf(gs.second(k));
                    terms.constant((b - d) * (b - d));
                }
            }
        }
    }

    /** Builds a {@link BettiMatchingLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private Filtration filtration = Filtration.SUPERLEVEL;
        private boolean relative;
        private boolean fromLogits;

        private Builder() {}

        /**
         * Sets the filtration.
         *
         * @param filtration the filtration (default {@link Filtration#SUPERLEVEL})
         * @return this
         */
        public Builder optFiltration(Filtration filtration) {
            this.filtration = Choice.require(filtration, ID, "filtration");
            return this;
        }

        /**
         * Sets the filtration by its word (case-insensitive).
         *
         * @param filtration {@code superlevel} (default) or {@code sublevel}
         * @return this
         * @throws IllegalArgumentException when the word is neither
         */
        public Builder optFiltration(String filtration) {
            return optFiltration(Choice.parse(Filtration.class, ID, "filtration", filtration));
        }

        /**
         * Pads every image with a 1-pixel border of its extreme value.
         *
         * @param relative default false
         * @return this
         */
        public Builder optRelative(boolean relative) {
            this.relative = relative;
            return this;
        }

        /**
         * Applies a sigmoid to predictions[0] first.
         *
         * @param fromLogits default false
         * @return this
         */
        public Builder optFromLogits(boolean fromLogits) {
            this.fromLogits = fromLogits;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public BettiMatchingLoss build() {
            return new BettiMatchingLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}

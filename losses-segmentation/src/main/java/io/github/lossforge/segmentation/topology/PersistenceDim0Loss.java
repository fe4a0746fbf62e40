package io.github.lossforge.segmentation.topology;

import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Choice;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.ParamSpec;

/**
 * The dimension-0 topological loss of Hu et al. (the baseline of the Betti matching paper): the
 * k = β₀(G) most persistent points of the prediction's dimension-0 diagram are pulled to the perfect
 * point, the others to the diagonal:
 * \[ L = \sum_{\text{top } k} \big[(1 - b)^2 + d^2\big] + \sum_{\text{rest}} \tfrac{1}{2}(b - d)^2 \]
 * per image (superlevel filtration; for sublevel the perfect point is (0, 1):
 * \( b^2 + (1 - d)^2 \)). The essential class's death is replaced by 0 (superlevel) or 1 (sublevel).
 * β₀(G) is the number of ground-truth components alive at level 0.5 (4-connected foreground).
 * Points are ranked by persistence |b − d|; ties keep the order of the diagram (the essential class
 * first, then by death in the filtration). The diagram is the one of {@link CubicalPersistence} (same
 * cube order as {@link BettiMatchingLoss}); only birth and death pixels receive gradient.
 *
 * <p>Slots: predictions[0] probabilities (N, 1, H, W); labels[0] ground truth (N, 1, H, W) 0/1.
 * Reduction {@code none} gives (N).
 *
 * <p>Parameters: {@code filtration} ({@code superlevel} default, or {@code sublevel}),
 * {@code reduction} (mean over images).
 *
 * <p>Paper: Xiaoling Hu, Li Fuxin, Dimitris Samaras, Chao Chen, "Topology-Preserving Deep Image
 * Segmentation", NeurIPS 2019, arXiv 1906.05404. Differs from the paper: dimension 0 only, on the
 * whole image (the paper works patch-wise with dimensions 0 and 1).
 */
public final class PersistenceDim0Loss extends TopologyLoss {

    /** The registry id. */
    public static final String ID = "topo-dim0";

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, PersistenceDim0Loss.class)
                    .paper("Hu, Li, Samaras, Chen: Topology-Preserving Deep Image Segmentation, NeurIPS 2019,"
                            + " arXiv 1906.05404")
                    .prediction("P0 probabilities (N,1,H,W)")
                    .label("L0 ground truth (N,1,H,W) 0/1")
                    .example("beside dice: examples/run-examples.sh segmentation.RingSegmentation --topology topo-dim0")
                    .param(ParamSpec.word("filtration", Filtration.SUPERLEVEL, "superlevel or sublevel sets"))
                    .factory(p -> builder().optFiltration(p.word("filtration")).optReduction(p.reduction()).build())
                    .build();

    private PersistenceDim0Loss(Builder b) {
        super(ID, b.reduction(), b.filtration, false, false);
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
        int components = new CubicalPersistence(truth, rows, cols, superlevel()).betti(0, 0.5);
        IntPairs points = p.intervals(0);
        double essential = essentialDeath();
        Integer[] byPersistence = new Integer[points.size()];
        double[] persistence = new double[points.size()];
        for (int k = 0; k < points.size(); k++) {
            byPersistence[k] = k;
            double d = points.second(k) == CubicalPersistence.ESSENTIAL ? essential : p.valueOf(points.second(k));
            persistence[k] = Math.abs(p.valueOf(points.first(k)) - d);
        }
        java.util.Arrays.sort(byPersistence, (x, y) -> Double.compare(persistence[y], persistence[x]));
        double perfectBirth = superlevel() ? 1 : 0;
        double perfectDeath = superlevel() ? 0 : 1;
        for (int rank = 0; rank < byPersistence.length; rank++) {
            int k = byPersistence[rank];
            int birthPixel = p.pixelOf(points.first(k));
            boolean essentialPoint = points.second(k) == CubicalPersistence.ESSENTIAL;
            if (rank < components) {
                terms.pixelMinusConstant(1, birthPixel, perfectBirth);
                if (essentialPoint) {
                    terms.constant((essential - perfectDeath) * (essential - perfectDeath));
                } else {
                    terms.pixelMinusConstant(1, p.pixelOf(points.second(k)), perfectDeath);
                }
            } else if (essentialPoint) {
                terms.pixelMinusConstant(0.5, birthPixel, essential);
            } else {
                terms.pixelMinusPixel(0.5, birthPixel, p.pixelOf(points.second(k)));
            }
        }
    }

    /** Builds a {@link PersistenceDim0Loss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private Filtration filtration = Filtration.SUPERLEVEL;

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
         * Builds the loss.
         *
         * @return the loss
         */
        public PersistenceDim0Loss build() {
            return new PersistenceDim0Loss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}

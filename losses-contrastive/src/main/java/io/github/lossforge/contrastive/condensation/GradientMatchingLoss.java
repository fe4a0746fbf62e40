package io.github.lossforge.contrastive.condensation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.contrastive.PairMath;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Choice;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Slot;

/**
 * The gradient-matching loss of dataset condensation: the layer-wise, output-node-wise cosine
 * distance between the gradients a network takes on the synthetic set and on the real set.
 *
 * <p>For one layer's gradients G (real) and G' (synthetic), viewed as rows \( G_r \) (a conv kernel
 * [out, in, h, w] as [out, in·h·w], a 3-D [C, h, w] as [C, h·w], a matrix as it is):
 * \[ d(G, G') = \sum_r \left(1 - \frac{\langle G_r, G'_r\rangle}{\lVert G_r\rVert \lVert G'_r\rVert +
 * \varepsilon}\right), \qquad d = 0 \text{ for a 1-D gradient (biases, norm affine parameters)}. \]
 * {@code mode=dc} (Zhao et al.): \( L = \sum_c \sum_\ell d(G_{\ell,c}, G'_{\ell,c}) \), per-class
 * gradients on both sides. {@code mode=dcc} (Lee et al.): \( L = \sum_\ell d(\frac1C \sum_c G_{\ell,c},
 * G'_\ell) \), the real per-class gradients averaged over classes and matched with the gradient of
 * the whole synthetic set, which carries the inter-class (contrastive) signal. The loss is
 * batch-level: one value per batch, reduction {@code mean} only (L, the papers' sum).
 *
 * <p>Slots: predictions[i] the synthetic-set gradient of layer i, labels[i] the real-set gradient of
 * the same layer (no gradient), i = 0..k, as many labels as predictions. {@code dc}: both (C, …)
 * with one leading class axis, same shapes. {@code dcc}: labels[i] (C, …), predictions[i] (…), the
 * label's shape without its class axis. C is the same for every layer. Parameters: {@code mode}
 * ({@code dc} | {@code dcc}, default {@code dc}), {@code eps} ε (1e-6, ≥ 0), {@code reduction} (mean).
 * A zero row takes no gradient through its norm. The synthetic gradients must be computed with a
 * graph (second-order autograd) for this loss to reach the synthetic images.
 *
 * <p>Papers: Zhao, Mopuri, Bilen, "Dataset Condensation with Gradient Matching", ICLR 2021, arXiv
 * 2006.05929; Lee, Chun, Jung, Yun, Yoon, "Dataset Condensation with Contrastive Signals", ICML 2022,
 * arXiv 2202.02916. Official code: VICO-UoE/DatasetCondensation and Saehyung-Lee/DCC {@code
 * utils.py::distance_wb, match_loss} (which accumulate in float32).
 */
public final class GradientMatchingLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "gradient-matching";

    /** The values of {@code mode}, written as their words in the registry and {@code optMode(String)}. */
    public enum Mode implements Choice {
        /** Per-class gradients on both sides (Zhao et al.). */
        DC,
        /** Class-summed gradients (Lee et al.). */
        DCC
    }

    /** Per-class matching. */
    public static final String DC = "dc";

    /** Class-summed (contrastive) matching. */
    public static final String DCC = "dcc";

    /** The default ε of the cosine denominator. */
    public static final double DEFAULT_EPS = 1e-6;

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, GradientMatchingLoss.class)
                    .paper("Lee, Chun, Jung, Yun, Yoon: Dataset Condensation with Contrastive Signals, ICML 2022,"
                            + " arXiv 2202.02916; Zhao, Mopuri, Bilen: Dataset Condensation with Gradient Matching,"
                            + " ICLR 2021, arXiv 2006.05929")
                    .prediction("P0..Pk synthetic-set gradients, one slot per layer (dc: (C,...), dcc: (...))")
                    .label("L0..Lk real-set gradients (C,...), one slot per layer")
                    .batchLevel()
                    .example("CondensationStep runs one condensation step: examples/run-examples.sh condensation.DatasetCondensation")
                    .param(ParamSpec.word("mode", Mode.DC, "per-class (dc) or class-summed (dcc)"))
                    .param(ParamSpec.number("eps", DEFAULT_EPS, ">= 0: added to the norm product"))
                    .factory(p -> builder()
                            .optMode(p.word("mode"))
                            .optEps(p.number("eps"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final boolean classSummed;
    private final double eps;

    private GradientMatchingLoss(Builder b) {
        super(ID, b.reduction(), false);
        if (!(b.eps >= 0) || Double.isInfinite(b.eps)) {
            throw new IllegalArgumentException(ID + ": eps must be a finite number >= 0, got " + b.eps);
        }
        this.classSummed = b.mode == Mode.DCC;
        this.eps = b.eps;
    }

    /**
     * Starts a builder.
     *
     * @return a builder with the defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Whether this is the class-summed {@code dcc} form.
     *
     * @return true for {@code dcc}, false for {@code dc}
     */
    public boolean classSummed() {
        return classSummed;
    }

    /** {@inheritDoc} */
    @Override
    protected NDArray compute(LossInputs in) {
        int layers = Math.max(1, countPredictions(in));
        in.requireSlots(layers, layers, layers, layers);
        NDArray total = null;
        long classes = -1;
        for (int i = 0; i < layers; i++) {
            Slot synthetic = in.prediction(i, "synthetic gradient of layer " + i);
            Slot real = in.floatLabel(i, "real gradient of layer " + i);
            real.requireRank("(C, ...) with a leading class axis", 1, 2, 3, 4, 5, 6);
            Shape expected = classSummed ? real.shape().slice(1) : real.shape();
            if (!synthetic.shape().equals(expected)) {
                throw synthetic.fail("has shape " + synthetic.shape() + ", expected " + expected + " to match "
                        + real.describe() + " " + real.shape()
                        + (classSummed ? " without its class axis (mode dcc)" : " (mode dc)"));
            }
            if (classes >= 0 && real.size(0) != classes) {
                throw real.fail("has " + real.size(0) + " classes on its leading axis, expected " + classes
                        + " as the other layers");
            }
            classes = real.size(0);
            NDArray layer = layerDistance(synthetic.array(), real.array(), expected.dimension()
                    - (classSummed ? 0 : 1));
            total = total == null ? layer : total.add(layer);
        }
        return total;
    }

    private static int countPredictions(LossInputs in) {
        int n = 0;
        while (in.hasPrediction(n)) {
            n++;
        }
        return n;
    }

    /**
     * The distance of one layer, summed over its classes (dc) or with the real side averaged over
     * them (dcc).
     *
     * @param synthetic dc: (C, S...); dcc: (S...)
     * @param real (C, S...)
     * @param layerRank the rank of S
     * @return the scalar distance (0 for a 1-D layer gradient)
     */
    private NDArray layerDistance(NDArray synthetic, NDArray real, int layerRank) {
        if (layerRank < 2) {
            return synthetic.sum().mul(synthetic.sum().zerosLike());
        }
        NDArray g = classSummed ? real.mean(new int[] {0}) : real;
        long rows = g.getShape().get(g.getShape().dimension() - layerRank);
        long lead = classSummed ? 1 : g.getShape().get(0);
        NDArray a = g.reshape(lead, rows, -1);
        NDArray b = synthetic.reshape(lead, rows, -1);
        NDArray dot = a.mul(b).sum(new int[] {2});
        NDArray norms = rowNorm(a).mul(rowNorm(b)).add(eps);
        return dot.div(norms).neg().add(1).sum();
    }

    private static NDArray rowNorm(NDArray x) {
        return PairMath.safeSqrt(x.square().sum(new int[] {2}));
    }

    /** Builds a {@link GradientMatchingLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private Mode mode = Mode.DC;
        private double eps = DEFAULT_EPS;

        private Builder() {}

        /**
         * Sets the mode.
         *
         * @param mode the value (default {@link Mode#DC})
         * @return this
         */
        public Builder optMode(Mode mode) {
            this.mode = Choice.require(mode, ID, "mode");
            return this;
        }

        /**
         * Sets the mode by its word (case-insensitive).
         *
         * @param mode {@code dc} (default, per class) or {@code dcc} (class-summed)
         * @return this
         * @throws IllegalArgumentException when the word is none of {@link Mode}'s words
         */
        public Builder optMode(String mode) {
            return optMode(Choice.parse(Mode.class, ID, "mode", mode));
        }

        /**
         * Sets ε of the cosine denominator.
         *
         * @param eps ≥ 0 (default 1e-6)
         * @return this
         */
        public Builder optEps(double eps) {
            this.eps = eps;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public GradientMatchingLoss build() {
            return new GradientMatchingLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}

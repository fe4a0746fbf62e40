package io.github.lossforge.core.calibration;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Slot;
import io.github.lossforge.core.classification.ClassificationMath;

/**
 * Platt's calibration loss: binary cross-entropy of a calibrated logit against Platt's smoothed
 * targets, the objective that fits the sigmoid p(y = 1 | f) = 1 / (1 + exp(A f + B)) on held-out
 * scores f. With s = −(A f + B) the calibrated logit,
 *
 * <p>\( \ell_i = -\big[t_i \log \sigma(s_i) + (1 - t_i) \log(1 - \sigma(s_i))\big],\; t_i =
 * \frac{N_+ + 1}{N_+ + 2} \text{ if } y_i = 1,\; t_i = \frac{1}{N_- + 2} \text{ if } y_i = 0, \)
 *
 * <p>where N₊ and N₋ count the positives and negatives of the batch (for Platt's fit, the batch is the
 * whole held-out set). The smoothed targets keep the fit from driving A to infinity on separable
 * scores. {@code sum} is Platt's negative log-likelihood; {@code mean} (default) divides it by N.
 * {@link PlattScaler} fits A, B by Newton's method without autograd; this loss lets A, B (or any
 * calibrator producing s) be trained with DJL, and the two agree at the optimum.
 *
 * <p>Slots: predictions[0] calibrated logit s (N) or (N, 1); labels[0] y of the same shape, 0/1.
 * Parameters: {@code reduction} (mean). The targets are computed from the batch and take no part in
 * autograd.
 *
 * <p>Paper: the calibration step of Generalized Funnelling — Alejandro Moreo, Andrea Pedrotti, Fabrizio
 * Sebastiani, "Generalized Funnelling: Ensemble Learning and Heterogeneous Document Embeddings for
 * Cross-Lingual Text Classification", ACM TOIS 2022, arXiv 2110.14764 (gFun calibrates every view with
 * libsvm's Platt scaling); the sigmoid fit itself is J. Platt, "Probabilistic Outputs for Support Vector
 * Machines", 1999, with the targets and Newton method of Lin, Lin, Weng 2007.
 */
public final class PlattLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "platt";

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, PlattLoss.class)
                    .paper("Moreo, Pedrotti, Sebastiani: Generalized Funnelling: Ensemble Learning and"
                            + " Heterogeneous Document Embeddings for Cross-Lingual Text Classification"
                            + " (calibration step), ACM TOIS 2022, arXiv 2110.14764")
                    .prediction("P0 calibrated logit (N)")
                    .label("L0 y (N) 0/1")
                    .example("held-out scores: examples/run-examples.sh calibration.PlattCalibration (PlattScaler.fit, or"
                            + " train s = -(A f + B) with this loss)")
                    .factory(p -> builder().optReduction(p.reduction()).build())
                    .build();

    private PlattLoss(Builder b) {
        super(ID, b.reduction(), true);
    }

    /**
     * Starts a builder.
     *
     * @return a builder with the defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /** {@inheritDoc} */
    @Override
    protected NDArray compute(LossInputs in) {
        in.requireSlots(1, 1, 1, 1);
        Slot logit = in.prediction(0, "calibrated logit").requireRank("(N) or (N, 1)", 1, 2);
        if (logit.shape().dimension() == 2 && logit.size(1) != 1) {
            throw logit.fail("has shape " + logit.shape() + ", expected (N) or (N, 1)");
        }
        Slot y = in.floatLabel(0, "y").requireShape(logit.shape(), "like predictions[0] (calibrated logit)");
        NDArray labels = y.array().reshape(-1);
        y.requireBinary("0/1 labels");
        NDArray positives = labels.sum();
        NDArray negatives = labels.neg().add(1).sum();
        NDArray high = positives.add(1).div(positives.add(2));
        NDArray low = negatives.onesLike().div(negatives.add(2));
        NDArray targets = NDArrays.where(labels.eq(1), high.broadcast(labels.getShape()),
                low.broadcast(labels.getShape()));
        return ClassificationMath.bceWithLogits(logit.array().reshape(-1), targets);
    }

    /** Builds a {@link PlattLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {

        private Builder() {}

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public PlattLoss build() {
            return new PlattLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}

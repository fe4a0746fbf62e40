package io.github.lossforge.contrastive.selfsupervised;

import ai.djl.ndarray.NDArray;
import io.github.lossforge.contrastive.LogitSurrogate;
import io.github.lossforge.contrastive.PairMath;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;
import io.github.lossforge.core.Surrogate;

/**
 * CWCL, the continuously weighted contrastive loss: cross-modal InfoNCE whose targets are the
 * similarities within the frozen modality instead of the identity.
 *
 * <p>With L2-normalised frozen-modality embeddings \( \hat u \) and trained-modality embeddings
 * \( \hat v \), weights \( w_{ij} = \langle \hat u_i, \hat u_j \rangle / 2 + 1/2 \in [0, 1] \)
 * (detached: computed from the frozen model) and logits \( L_{ij} = \langle \hat u_i, \hat v_j
 * \rangle / \tau \):
 *
 * <p>\( \ell_i = -\frac{1}{\sum_j w_{ij}} \sum_j w_{ij} \log \mathrm{softmax}_j(L_i) \) (the U→V
 * direction). With {@code symmetric} the per-sample value is \( \tfrac12(\ell_i + \ell'_i) \),
 * \( \ell'_i \) the same on \( L^\top \) with the same (symmetric) W. With W = I this is CLIP's
 * InfoNCE. The weights carry no gradient, but u still receives one through the logits (spec §6).
 *
 * <p>Slots: predictions[0] frozen-modality embeddings u (N, D); predictions[1] trained-modality
 * embeddings v (N, D); labels: none are read (one optional label array is accepted and ignored,
 * since DJL's {@code EasyTrain} needs one). Parameters: {@code temperature} (0.07, &gt; 0), {@code
 * symmetric} (true: the average of both directions; the paper's exact combination is open, CellCLIP
 * uses plain CLIP for V→U), {@code reduction} (mean).
 *
 * <p>The value and its gradient with respect to the logits are computed in closed form and attached
 * by {@code core.Surrogate}: only first-order derivatives are carried (no gradient of the gradient).
 *
 * <p>Paper: Rakshith Sharma Srinivasa, Jaejin Cho, Chouchang Yang, Yashas Malur Saidutta, Ching-Hua
 * Lee, Yilin Shen, Hongxia Jin, "CWCL: Cross-Modal Transfer with Continuously Weighted Contrastive
 * Loss", NeurIPS 2023, arXiv 2309.14580. No official code was found.
 */
public final class CwclLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "cwcl";

    /** The default temperature τ. */
    public static final double DEFAULT_TEMPERATURE = 0.07;

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, CwclLoss.class)
                    .paper("Srinivasa, Cho, Yang, Saidutta, Lee, Shen, Jin: CWCL: Cross-Modal Transfer with"
                            + " Continuously Weighted Contrastive Loss, NeurIPS 2023, arXiv 2309.14580")
                    .prediction("P0 frozen-modality u (N,D)")
                    .prediction("P1 trained-modality v (N,D)")
                    .example("paired embeddings of a frozen modality (u) and a trained one (v):"
                            + " examples/run-examples.sh contrastive.ContrastivePretraining --loss cwcl")
                    .param(ParamSpec.number("temperature", DEFAULT_TEMPERATURE, "> 0: logits are cosines / temperature"))
                    .param(ParamSpec.bool("symmetric", true, "average with the V-to-U direction"))
                    .factory(p -> builder()
                            .optTemperature(p.number("temperature"))
                            .optSymmetric(p.bool("symmetric"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final double temperature;
    private final boolean symmetric;

    private CwclLoss(Builder b) {
        super(ID, b.reduction(), true);
        if (!(b.temperature > 0) || Double.isInfinite(b.temperature)) {
            throw new IllegalArgumentException(ID + ": temperature must be a finite number > 0, got " + b.temperature);
        }
        this.temperature = b.temperature;
        this.symmetric = b.symmetric;
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
        in.requireSlots(0, 1, 2, 2);
        Slot frozen = in.prediction(0, "frozen u").requireRank("(N, D)", 2);
        Slot trained = in.prediction(1, "trained v").requireShape(frozen.shape(), "(N, D) like predictions[0]");
        NDArray u = PairMath.l2Normalize(frozen.array());
        NDArray v = PairMath.l2Normalize(trained.array());
        NDArray uDetached = u.stopGradient();
        NDArray vDetached = v.stopGradient();
        // t_ij = w_ij / r_i, r_i = Σ_k w_ik, with w = (ÛÛᵀ + 1)/2: the halves cancel, and W stays
        // symmetric, so the column direction's Σ_j t_ij log q_ji is (Σ_j w_ji log q_ji) / r_i, a
        // column sum, and no transposed N×N read is needed
        NDArray weights = PairMath.dotMatrix(uDetached, uDetached).addi(Scalar.of(uDetached, 1));
        NDArray rowSums = weights.sum(new int[] {1}, true);
        NDArray targets = weights.div(rowSums);
        boolean direct = LogitSurrogate.gramAttachable(reduction());
        NDArray scaledU = Scalar.div(direct ? uDetached : u, temperature);
        NDArray logits = PairMath.dotMatrix(scaledU, direct ? vDetached : v);
        NDArray detached = logits.stopGradient();
        NDArray rowLog = detached.logSoftmax(1);
        NDArray half = Scalar.of(detached, 0.5);
        NDArray values = PairMath.weightedRowSum(rowLog, targets);
        NDArray columnLog = null;
        if (symmetric) {
            columnLog = detached.logSoftmax(0);
            NDArray product = weights.mul(columnLog);
            values = values.add(product.sum(new int[] {0}).div(rowSums.reshape(-1))).mul(half);
            product.close();
        }
        values = values.neg();
        if (!Surrogate.isNeeded(u)) {
            return values;
        }
        // ∂/∂L = softmax_row − T, with symmetric ½(softmax_row − T) + ½(softmax_column − Tᵀ)
        NDArray rows = PairMath.expClosing(rowLog).subi(targets);
        targets.close();
        NDArray columns = null;
        if (columnLog != null) {
            rows.muli(half);
            columns = PairMath.expClosing(columnLog).subi(weights.divi(rowSums.reshape(1, -1))).muli(half);
        }
        if (!direct) {
            return LogitSurrogate.attach(values, logits, rows, columns == null ? null : columns.transpose(), reduction());
        }
        // every sample weighed alike: the summed gradient goes to u and v directly, G v / τ and Gᵀ u / τ
        NDArray gradient = columns == null ? rows : rows.addi(columns);
        return Surrogate.attach(values, new NDArray[] {u, v},
                new NDArray[] {gradient.matMul(vDetached).divi(Scalar.of(vDetached, temperature)),
                        gradient.transpose().matMul(scaledU)});
    }

    /** Builds a {@link CwclLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private double temperature = DEFAULT_TEMPERATURE;
        private boolean symmetric = true;

        private Builder() {}

        /**
         * Sets the temperature τ.
         *
         * @param temperature &gt; 0 (default 0.07)
         * @return this
         */
        public Builder optTemperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        /**
         * Sets whether the V→U direction is averaged in.
         *
         * @param symmetric default true
         * @return this
         */
        public Builder optSymmetric(boolean symmetric) {
            this.symmetric = symmetric;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public CwclLoss build() {
            return new CwclLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}

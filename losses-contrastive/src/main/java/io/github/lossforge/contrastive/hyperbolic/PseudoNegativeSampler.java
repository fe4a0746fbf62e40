package io.github.lossforge.contrastive.hyperbolic;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.jspecify.annotations.Nullable;

/**
 * Hyp-OC's pseudo-negative sampler: Gaussian features around a running mean of the real (one-class)
 * features, used as the negative class when only real samples exist.
 *
 * <p>Each call with a batch of real features \( f_t \) (N, D) draws \( \tilde n \sim
 * \mathcal N(\mu_t, \sigma^2 I) \), \( \mu_t = \alpha\, m_{t-1} + (1 - \alpha)\,
 * \overline{f_t} \). With {@code Mode.PREVIOUS_BATCH} (default, the official code) \( m_{t-1} \) is
 * the previous batch's mean; with {@code Mode.RUNNING} it is \( \mu_{t-1} \), a true exponential
 * moving average. \( m_0 = 0 \). The samples take no part in autograd, and the state (host doubles,
 * no arrays) lives in this object until {@link #resetState()}.
 *
 * <p>Defaults: α = 0.8, σ = 1 (the official code passes std_dev = 1 as the covariance). Paper:
 * Narayan, Patel, "Hyp-OC: Hyperbolic One Class Classification for Face Anti-Spoofing", FG 2024,
 * arXiv 2404.14406; official code Kartik-3004/hyp-oc {@code train.py}.
 */
public final class PseudoNegativeSampler {

    /** What the previous mean in the update is. */
    public enum Mode {
        /** The previous batch's feature mean (the official code). */
        PREVIOUS_BATCH,
        /** The previous μ: an exponential moving average. */
        RUNNING
    }

    private final double momentum;
    private final double std;
    private final Mode mode;
    private double @Nullable [] previous;
    private double @Nullable [] mean;

    /**
     * Creates a sampler.
     *
     * @param momentum α in [0, 1] (Hyp-OC: 0.8)
     * @param std σ ≥ 0 (Hyp-OC: 1)
     * @param mode which previous mean the update uses
     */
    public PseudoNegativeSampler(double momentum, double std, Mode mode) {
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("PseudoNegativeSampler: momentum must be in [0, 1], got " + momentum);
        }
        if (!(std >= 0) || Double.isInfinite(std)) {
            throw new IllegalArgumentException("PseudoNegativeSampler: std must be a finite number >= 0, got " + std);
        }
        if (mode == null) {
            throw new IllegalArgumentException("PseudoNegativeSampler: mode must not be null");
        }
        this.momentum = momentum;
        this.std = std;
        this.mode = mode;
    }

    /**
     * A sampler with Hyp-OC's settings: α = 0.8, σ = 1, the previous batch's mean.
     *
     * @return the sampler
     */
    public static PseudoNegativeSampler hypOc() {
        return new PseudoNegativeSampler(0.8, 1.0, Mode.PREVIOUS_BATCH);
    }

    /**
     * Updates the mean with a batch of real features and draws pseudo-negatives around it.
     *
     * @param features (N, D) real features, N ≥ 1 (read without gradient)
     * @param count how many pseudo-negatives to draw
     * @return (count, D) samples in the features' dtype and manager, without gradient
     * @throws IllegalArgumentException for a wrong rank, an empty batch, a changed D or a negative count
     */
    public NDArray sample(NDArray features, int count) {
        Shape shape = features.getShape();
        if (shape.dimension() != 2 || shape.get(0) == 0) {
            throw new IllegalArgumentException("PseudoNegativeSampler: features have shape " + shape
                    + ", expected (N, D) with N >= 1");
        }
        if (count < 0) {
            throw new IllegalArgumentException("PseudoNegativeSampler: count must be >= 0, got " + count);
        }
        int d = (int) shape.get(1);
        if (previous != null && previous.length != d) {
            throw new IllegalArgumentException("PseudoNegativeSampler: features have D = " + d
                    + ", the state holds D = " + previous.length + " (resetState() first)");
        }
        double[] batchMean = features.stopGradient().mean(new int[] {0}).toType(DataType.FLOAT64, false)
                .toDoubleArray();
        double[] prior = previous == null ? new double[d] : previous;
        double[] mu = new double[d];
        for (int j = 0; j < d; j++) {
            mu[j] = momentum * prior[j] + (1 - momentum) * batchMean[j];
        }
        previous = mode == Mode.PREVIOUS_BATCH ? batchMean : mu;
        mean = mu;
        NDArray centre = features.getManager().create(mu).toType(features.getDataType(), false).reshape(1, d);
        NDArray noise = features.getManager().randomNormal(0, (float) std, new Shape(count, d), features.getDataType());
        return noise.add(centre);
    }

    /**
     * The μ of the last {@link #sample} call.
     *
     * @return a copy of μ, or null before the first call
     */
    public double @Nullable [] mean() {
        return mean == null ? null : mean.clone();
    }

    /** Forgets the previous mean: the next call starts from \( m_0 = 0 \) again. */
    public void resetState() {
        previous = null;
        mean = null;
    }
}

package io.github.lossforge.core.regression;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;

import org.jspecify.annotations.Nullable;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Sample-weighted nonlinear decorrelation of representation dimensions (the reweighting objective
 * of L2R-GNN and StableNet): sample weights are learned so that, under the weighted empirical
 * distribution, random Fourier features of different dimensions are uncorrelated,
 *
 * <p>\( \tilde w = w / \sum_n w_n,\quad X^{(k)}_{ni} = \sqrt{2}\cos(\omega_{ki} z_{ni} + b_{ki}),\quad
 * C^{(k)} = (\tilde w \circ X^{(k)})^\top X^{(k)} - (\tilde w^\top X^{(k)})^\top (\tilde w^\top X^{(k)}),
 * \)
 *
 * <p>\( L = \sum_k \sum_{(i, j) \in P} \big(C^{(k)}_{ij}\big)^2, \)
 *
 * <p>over the ordered pairs P of distinct dimensions i ≠ j (the official code's Σ − trace), or, with
 * variable clusters, only the pairs whose dimensions lie in different clusters (the paper's
 * cluster-wise loss). The weights are normalised to sum to one (the official code's softmax weights,
 * the form our notes recommend): the covariance is then a proper weighted covariance and a
 * non-uniform w alone creates no cross-covariance. Gradients reach both the features and the weights;
 * a weight learner detaches the features and should add an effective-sample-size penalty (e.g. Σ w̃²),
 * without which the weights collapse onto a few samples (all weight on one sample gives L = 0).
 *
 * <p>Random features: ω ~ N(0, 1) and b ~ U(0, 2π), one pair per (feature k, dimension i), drawn from
 * {@code new java.util.Random(seed)} in row-major (k, i) order ({@code nextGaussian()} for ω, then
 * {@code 2π·nextDouble()} for b) when the number of dimensions is first seen, and reused, so the loss
 * is a deterministic function of its inputs. Deliberate differences from the official code
 * ({@code loss_reweighting.py::lossb_expect}): it redraws the features on every call and min-max
 * rescales {@code ωz + b} across dimensions of each sample to [0, π/2] before {@code cos + sin} (not
 * Bochner's features, and 0/0 for a single dimension); here the features are Bochner's \( \sqrt{2}\cos(\omega
 * z + b) \).
 *
 * <p>Slots: predictions[0] features z (n, p); predictions[1] sample weights w (n), ≥ 0 with a positive
 * sum; labels are not read (DJL's {@code EasyTrain} needs one label array). Parameters: {@code
 * randomFeatures} (1, ≥ 1: features per dimension), {@code seed} (42), {@code clusters} ({@code none}
 * in the registry; the builder's {@code optClusters} takes one cluster index per dimension), {@code
 * reduction} ({@code mean} only: the loss is defined on the whole batch).
 *
 * <p>Paper: Zhengyu Chen et al., "Learning to Reweight for Graph Neural Network" (L2R-GNN), AAAI 2024,
 * arXiv 2312.12475; the code is StableNet's (Zhang et al., "Deep Stable Learning for Out-Of-Distribution
 * Generalization", CVPR 2021, arXiv 2104.07876).
 */
public final class WeightedDecorrelationLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "weighted-decorrelation";

    /** The default number of random features per dimension. */
    public static final long DEFAULT_RANDOM_FEATURES = 1;

    /** The default seed. */
    public static final long DEFAULT_SEED = 42;

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, WeightedDecorrelationLoss.class)
                    .paper("Chen et al.: Learning to Reweight for Graph Neural Network, AAAI 2024, arXiv 2312.12475")
                    .prediction("P0 features (n,p)")
                    .prediction("P1 sample weights (n)")
                    .batchLevel()
                    .example("sample weights that decorrelate, then a weighted fit: examples/run-examples.sh regression.StableLearning")
                    .param(ParamSpec.integer("randomFeatures", DEFAULT_RANDOM_FEATURES, "≥ 1: random Fourier features per dimension"))
                    .param(ParamSpec.integer("seed", DEFAULT_SEED, "seed of the random features"))
                    .param(ParamSpec.word("clusters", "none", List.of("none"),
                            "none: every pair of dimensions; builder optClusters(int...) for variable clusters"))
                    .factory(p -> builder()
                            .optRandomFeatures(p.integer("randomFeatures"))
                            .optSeed(p.integer("seed"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final int randomFeatures;
    private final long seed;
    private final int @Nullable [] clusters;
    private double[] frequencies;
    private double[] phases;
    private int drawnFor = -1;

    private WeightedDecorrelationLoss(Builder b) {
        super(ID, b.reduction(), false);
        if (b.randomFeatures < 1 || b.randomFeatures > 1024) {
            throw new IllegalArgumentException(ID + ": randomFeatures must be in [1, 1024], got " + b.randomFeatures);
        }
        this.randomFeatures = (int) b.randomFeatures;
        this.seed = b.seed;
        this.clusters = b.clusters == null ? null : b.clusters.clone();
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
        Slot z = in.prediction(0, "features").requireRank("(n, p)", 2);
        Slot w = in.prediction(1, "sample weights").requireRank("(n)", 1).requireSameBatch(z);
        w.requireValues(a -> new NDArray[] {a.min(), a.sum()},
                v -> v[0] < 0 || !(v[1] > 0)
                        ? "holds a negative weight or sums to 0, expected weights ≥ 0 with a positive sum" : null);
        int n = (int) z.size(0);
        int p = (int) z.size(1);
        if (clusters != null && clusters.length != p) {
            throw z.fail("has " + p + " dimensions, but " + clusters.length + " cluster indices were given");
        }
        drawFeatures(p);
        NDArray zs = z.array();
        Shape grid = new Shape(1, randomFeatures, p);
        NDArray omega = Scalar.array(zs, frequencies, grid);
        NDArray phase = Scalar.array(zs, phases, grid);
        // (n, K, p) → (K, n, p): X_k = sqrt(2) cos(ω_k z + b_k)
        NDArray features = Scalar.mul(zs.reshape(n, 1, p).mul(omega).add(phase).cos(), Math.sqrt(2))
                .transpose(1, 0, 2);
        NDArray weights = w.array().div(w.array().sum()).reshape(1, n, 1);
        NDArray weighted = features.mul(weights);
        NDArray means = weighted.sum(new int[] {1}, true);
        NDArray covariance = weighted.transpose(0, 2, 1).batchMatMul(features)
                .sub(means.transpose(0, 2, 1).batchMatMul(means));
        NDArray pairs = Scalar.array(zs, pairMask(p), new Shape(1, p, p));
        return covariance.square().mul(pairs).sum();
    }

    /** 1 for the pairs (i, j) that count: i ≠ j, and different clusters when clusters are given. */
    private double[] pairMask(int p) {
        double[] mask = new double[p * p];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                boolean counts = i != j && (clusters == null || clusters[i] != clusters[j]);
                mask[i * p + j] = counts ? 1 : 0;
            }
        }
        return mask;
    }

    private synchronized void drawFeatures(int p) {
        if (drawnFor == p) {
            return;
        }
        Random random = new Random(seed);
        frequencies = new double[randomFeatures * p];
        phases = new double[randomFeatures * p];
        for (int i = 0; i < frequencies.length; i++) {
            frequencies[i] = random.nextGaussian();
            phases[i] = 2 * Math.PI * random.nextDouble();
        }
        drawnFor = p;
    }

    /** Builds a {@link WeightedDecorrelationLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private long randomFeatures = DEFAULT_RANDOM_FEATURES;
        private long seed = DEFAULT_SEED;
        private int @Nullable [] clusters;

        private Builder() {}

        /**
         * Sets the number of random Fourier features per dimension.
         *
         * @param randomFeatures ≥ 1 (default 1, the official default)
         * @return this
         */
        public Builder optRandomFeatures(long randomFeatures) {
            this.randomFeatures = randomFeatures;
            return this;
        }

        /**
         * Sets the seed of the random features.
         *
         * @param seed the seed (default 42)
         * @return this
         */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Restricts the loss to pairs of dimensions in different clusters.
         *
         * @param assignment one cluster index per dimension (length p), or null for every pair
         * @return this
         */
        public Builder optClusters(int @Nullable ... assignment) {
            this.clusters = assignment == null ? null : Arrays.copyOf(assignment, assignment.length);
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public WeightedDecorrelationLoss build() {
            return new WeightedDecorrelationLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}

package io.github.lossforge.contrastive.fewshot;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.contrastive.PairMath;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Choice;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;

/**
 * The ICNN loss of "SuSana Distancia is all you need": \( L = -\log \operatorname{score} \), where the
 * ICNN score (in (0, 1]) rewards embeddings whose nearest neighbours share their class and lie closer
 * than the nearest other-class neighbour.
 *
 * <p>The score of origin points X (labels y) against target points T (labels y_T), n = |X|, m = |T|,
 * with \( d(x, y) = \sqrt{\lVert x - y\rVert^2 + 10^{-6}} \) and ε = 10⁻⁷: if k + 2 ≥ m then k ← m − 2
 * and γ = 1; ipc = k + 1 unless given. For each \( x_i \) take its ipc nearest targets \( D_{ij} \)
 * (skipping the nearest one, taken to be \( x_i \) itself, when X and T are the same set), with
 * same-class flags \( sc_{ij} \) and \( dc_{ij} = 1 - sc_{ij} \);
 * \( nn_i = \min_{j : dc_{ij}} D_{ij} \) (none: \( r_{i\cdot} = 0 \));
 * \( r_{ij} = D_{ij} / (nn_i + ε) \) for j ≤ k, then \( r_{ij} \leftarrow r_{ij} / \max(1, \max_j
 * r_{ij}) \);
 * \( λ_{sc} = 1 - \frac{\sum_i \sum_{j \le k} sc_{ij} r_{ij} / (\sum_{j \le k} sc_{ij} + ε)}{\#\{i : \sum_{j\le k}
 * sc_{ij} &gt; 0\} + ε} \);
 * \( e_{ij} = D_{ij} dc_{ij} / (\max_{i, j \le k} D_{ij} dc_{ij} + ε) \),
 * \( λ_{dc} = \left| \frac{\sum_i \sum_{j \le k} e_{ij} / (\sum_{j \le k} dc_{ij} + ε)}{\#\{i : \sum_{j\le k}
 * dc_{ij} &gt; 0\} + ε} + δ \right| \), δ = −1 if no \( dc_{ij} \) (j ≤ k) is set, else 0;
 * \( γ = \frac{1}{n} \sum_i \sum_{j \le k} sc_{ij} / k \); score = ((λ_sc + λ_dc)/2 + γ)/2.
 * Gradients flow through the distances (λ terms, including the normalisers \( nn_i \) and the
 * maxima); the neighbour selection and γ are constant.
 *
 * <p>Modes ({@code mode}): {@code support}: the support set against itself; {@code query}: the
 * queries against the class prototypes (mean support embeddings); {@code full}: support ∪ query
 * against itself with ipc = (N_s + N_q)/W (the images per class of a balanced episode). The loss is
 * batch-level (the score is already a mean over the origin points): reduction {@code mean} only,
 * which returns −log score.
 *
 * <p>Slots as {@code proto-triplet}: predictions[0] support (W·S, D), predictions[1] query (W·Q, D);
 * labels[0] support classes (W·S), labels[1] query classes (W·Q), in [0, W), W ≥ 2. Parameters:
 * {@code k} (4, ≥ 1), {@code mode} ({@code support} | {@code query} | {@code full}, default
 * {@code support}), {@code reduction} (mean). The target set must hold at least 3 points.
 *
 * <p>Paper: Mendez-Ruiz et al., "SuSana Distancia is all you need", 2023, arXiv 2305.09062; official
 * code maumruiz/FSL-Loss {@code algorithms/icnn_loss.py::modified_score}. Differences: in {@code
 * query} mode the official code also drops the first neighbour, which there is the query's nearest
 * prototype, not the query itself; we keep it. The official code adds ε to integer counts, which
 * makes those denominators float32 (about 1e-7 relative drift from this float64-exact form).
 */
public final class IcnnLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "icnn";

    /** The values of {@code mode}, written as their words in the registry and {@code optMode(String)}. */
    public enum Mode implements Choice {
        /** Support vs support. */
        SUPPORT,
        /** Queries vs the class prototypes. */
        QUERY,
        /** Everything vs everything. */
        FULL
    }

    /** The default number of neighbours. */
    public static final long DEFAULT_K = 4;

    /** The support set against itself. */
    public static final String SUPPORT = "support";

    /** The queries against the prototypes. */
    public static final String QUERY = "query";

    /** Support and queries together against themselves. */
    public static final String FULL = "full";

    private static final double EPS = 1e-7;

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, IcnnLoss.class)
                    .paper(ProtoTripletLoss.PAPER)
                    .prediction("P0 support (W*S,D)")
                    .prediction("P1 query (W*Q,D)")
                    .label("L0 support classes (W*S) int64")
                    .label("L1 query classes (W*Q) int64")
                    .batchLevel()
                    .example("few-shot episodes (support and query embeddings with their classes):"
                            + " examples/run-examples.sh contrastive.MetricLearning --loss icnn")
                    .param(ParamSpec.integer("k", DEFAULT_K, ">= 1: the neighbours scored per point"))
                    .param(ParamSpec.word("mode", Mode.SUPPORT,
                            "support vs support, queries vs prototypes, or everything vs everything"))
                    .factory(p -> builder()
                            .optK(p.integer("k"))
                            .optMode(p.word("mode"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final int k;
    private final String mode;

    private IcnnLoss(Builder b) {
        super(ID, b.reduction(), false);
        if (b.k < 1 || b.k > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(ID + ": k must be >= 1, got " + b.k);
        }
        this.k = (int) b.k;
        this.mode = b.mode.key();
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
        Episode e = Episode.read(in);
        NDArray score;
        switch (mode) {
            case QUERY:
                score = score(e.query(), e.queryClasses(), e.prototypes(),
                        e.prototypeClasses(), false, -1);
                break;
            case FULL:
                long total = e.support().getShape().get(0) + e.query().getShape().get(0);
                NDArray all = e.support().concat(e.query());
                NDArray classes = e.supportClasses().concat(e.queryClasses());
                score = score(all, classes, all, classes, true, (int) (total / e.way()));
                break;
            case SUPPORT:
            default:
                score = score(e.support(), e.supportClasses(), e.support(), e.supportClasses(), true, -1);
                break;
        }
        return score.log().neg();
    }

    /**
     * The ICNN score.
     *
     * @param x (n, D) origin points
     * @param y (n) their classes
     * @param t (m, D) target points
     * @param yt (m) their classes
     * @param sameSet whether t is x (the nearest neighbour, x itself, is skipped)
     * @param ipcGiven the neighbours examined per point, or −1 for k + 1
     * @return the scalar score
     */
    private NDArray score(NDArray x, NDArray y, NDArray t, NDArray yt, boolean sameSet, int ipcGiven) {
        long n = x.getShape().get(0);
        long m = t.getShape().get(0);
        if (m < 3) {
            throw new IllegalArgumentException(ID + ": mode " + mode + " scores against " + m
                    + " target point(s), expected at least 3");
        }
        boolean shrunk = k + 2 >= m;
        int kk = shrunk ? (int) m - 2 : k;
        int skip = sameSet ? 1 : 0;
        int ipc = Math.min(ipcGiven < 0 ? kk + 1 : ipcGiven, (int) m - skip);
        int cols = Math.min(kk, ipc);
        NDArray all = Episode.distances(x, t);
        NDArray order = all.stopGradient().argSort(1).get(":, " + skip + ":" + (skip + ipc));
        NDArray d = all.gather(order, 1);
        NDArray neighbourClasses = yt.reshape(1, -1).broadcast(new Shape(n, m)).gather(order, 1);
        NDArray same = neighbourClasses.eq(y.reshape(-1, 1));
        NDArray different = same.logicalNot();
        DataType type = d.getDataType();

        NDArray hasDifferent = PairMath.anyPerRow(different).reshape(-1, 1);
        NDArray nearestDifferent = PairMath.maskedMin(d, different, 0).reshape(-1, 1);
        NDArray firstD = d.get(":, 0:" + cols);
        NDArray ratio = NDArrays.where(hasDifferent.broadcast(firstD.getShape()),
                firstD.div(nearestDifferent.add(EPS)), firstD.zerosLike());
        ratio = ratio.div(Scalar.max(ratio.max(new int[] {1}, true), 1));

        NDArray sc = same.get(":, 0:" + cols).toType(type, false);
        NDArray dc = different.get(":, 0:" + cols).toType(type, false);
        NDArray scCounts = sc.sum(new int[] {1});
        NDArray sameTerm = ratio.mul(sc).sum(new int[] {1}).div(scCounts.add(EPS)).sum()
                .div(plus(scCounts.gt(0).toType(type, false).sum(), EPS));
        NDArray lambdaSame = plus(sameTerm.neg(), 1);

        NDArray dcDistances = firstD.mul(dc);
        NDArray scaled = dcDistances.div(plus(dcDistances.max(), EPS));
        NDArray dcCounts = dc.sum(new int[] {1});
        // offset 0 when some pair is of different classes, else −1 (on the device: any − 1)
        NDArray offset = plus(dc.gt(0).any().toType(type, false), -1);
        NDArray lambdaDifferent = scaled.sum(new int[] {1}).div(dcCounts.add(EPS)).sum()
                .div(plus(dcCounts.gt(0).toType(type, false).sum(), EPS)).add(offset).abs();
        NDArray lambda = Scalar.mul(lambdaSame.add(lambdaDifferent), 0.5);

        NDArray gamma = shrunk ? Scalar.of(lambda, 1) : Scalar.div(Scalar.div(scCounts.sum(), kk), n);
        return Scalar.mul(lambda.add(gamma), 0.5);
    }

    /**
     * {@code x + c} for a 0-dimensional x: adding a Java number would promote float32 to float64
     * (PyTorch promotes between two dimensionless operands), so the constant takes x's dtype.
     */
    private static NDArray plus(NDArray x, double c) {
        return x.add(Scalar.of(x, c));
    }

    /** Builds an {@link IcnnLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private long k = DEFAULT_K;
        private Mode mode = Mode.SUPPORT;

        private Builder() {}

        /**
         * Sets the number of neighbours k.
         *
         * @param k ≥ 1 (default 4); shrunk to m − 2 for a target set of m points when k + 2 ≥ m
         * @return this
         */
        public Builder optK(long k) {
            this.k = k;
            return this;
        }

        /**
         * Sets the mode.
         *
         * @param mode the value (default {@link Mode#SUPPORT})
         * @return this
         */
        public Builder optMode(Mode mode) {
            this.mode = Choice.require(mode, ID, "mode");
            return this;
        }

        /**
         * Sets the mode by its word (case-insensitive).
         *
         * @param mode {@code support} (default), {@code query} or {@code full}
         * @return this
         * @throws IllegalArgumentException when the word is none of {@link Mode}'s words
         */
        public Builder optMode(String mode) {
            return optMode(Choice.parse(Mode.class, ID, "mode", mode));
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public IcnnLoss build() {
            return new IcnnLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}

package io.github.lossforge.core.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Choice;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;
import io.github.lossforge.core.engine.PtEngineAdapter;
import io.github.lossforge.core.kernels.Kernels;
import io.github.lossforge.core.kernels.LinearCrossEntropyOptions;
import io.github.lossforge.core.kernels.LinearCrossEntropyProblem;
import io.github.lossforge.core.kernels.LinearCrossEntropyResult;

import org.jspecify.annotations.Nullable;

import java.util.List;

/**
 * Cut Cross-Entropy: the cross-entropy of a linear classifier head, computed without ever
 * materialising the N×V logits, in the forward or the backward pass.
 *
 * <p>\( z = \mathrm{softcap}(E C^\top + b) \), \( \mathrm{softcap}(x) = s \tanh(x / s) \) (off when s =
 * 0), \( \mathrm{LSE}_i = \log \sum_v e^{z_{iv}} \), and per token \( \ell_i = \mathrm{LSE}_i -
 * (1-\varepsilon) z_{i,y_i} - \frac{\varepsilon}{V} \sum_v z_{iv} + \lambda\,\mathrm{LSE}_i^2 \) (label
 * smoothing ε spread over all V classes as PyTorch's cross-entropy does; λ the PaLM log-Z² penalty,
 * computed from the same LSE). {@code mean} averages over the non-ignored tokens (0, with zero
 * gradients, when every token is ignored), {@code sum} adds them, {@code none} returns one value per
 * position, 0 at ignored ones.
 *
 * <p><b>How.</b> A fused kernel chosen by the inputs' device ({@link Kernels}) evaluates the logits in
 * vocabulary blocks with an online log-sum-exp and the target logit by an indexed dot product; when
 * autograd is recording (inside a {@code GradientCollector}), a second blocked pass builds dE, dC and
 * dbias (all three: DJL cannot tell whether an array computed by a block needs a gradient).
 * The loss returned is the surrogate \( \mathrm{sg}(L) + \langle E, \mathrm{sg}(dE)\rangle -
 * \mathrm{sg}(\langle E, dE\rangle) + \langle C, \mathrm{sg}(dC)\rangle - \mathrm{sg}(\cdot) + \langle
 * b, \mathrm{sg}(db)\rangle - \mathrm{sg}(\cdot) \) (sg = stop-gradient): its value is exactly L and
 * DJL's autograd delivers exactly dE, dC, db, with no graph kept but the inner products. Peak extra
 * memory is dE, dC and a few N × block arrays (the block size comes from N, D and a 64 MiB budget,
 * or is set).
 *
 * <p><b>Slots.</b> predictions[0] embeddings E (N, D) or (B, T, D); predictions[1] classifier C (V, D);
 * predictions[2] (optional) bias b (V); labels[0] targets (N) or (B, T), int64 (int32 accepted),
 * values in [0, V) or {@code ignoreIndex}. With {@code shift} = k, position t of E predicts target t +
 * k along the sequence axis (T for (B, T, D), N for (N, D)), without copying E; {@code none} then has
 * shape (B, T − k) or (N − k).
 *
 * <p><b>Parameters</b> (registry key = builder {@code optX}): {@code ignoreIndex} (−100), {@code
 * softcap} (0 = off), {@code shift} (0), {@code filterEps} ({@code auto}: machine epsilon of the
 * compute dtype / 32; a number; or {@code none} = exact), {@code blockSize} ({@code auto} or a
 * number), {@code sortVocab} (false), {@code zLossScale} (0.0), {@code labelSmoothing} (0.0), {@code
 * reduction} (mean). The builder also takes the memory budget of the automatic block size.
 *
 * <p><b>Paper.</b> Erik Wijmans, Brody Huval, Alexander Hertzberg, Vladlen Koltun, Philipp
 * Krähenbühl, "Cut Your Losses in Large-Vocabulary Language Models", ICLR 2025, arXiv 2411.09009;
 * official code apple/ml-cross-entropy.
 *
 * <p><b>Deliberate differences from the official code.</b> (1) Label smoothing and the z-loss are
 * built in (the official code has neither; its z-loss is {@code compute_z_loss} on the returned LSE,
 * which this matches). (2) {@code filterEps=auto} uses the compute dtype, so float16 inputs
 * (computed in float32) filter at 2⁻²⁸ rather than 2⁻¹⁵. (3) Filtering skips (1 token × block) tiles
 * rather than (16–128 tokens × block) tiles: the per-entry bound is the same. (4) With {@code
 * reduction=none} under autograd, each value's gradient with respect to its own embedding row is
 * exact for any upstream weighting, but the classifier and bias gradients are those of a uniformly
 * weighted reduction (sum or mean of the values): DJL has no custom backward, so the kernel must
 * fix the weights when it runs. Weight tokens through a mean/sum reduction with {@code ignoreIndex}
 * instead of weighting {@code none} values.
 */
public final class CutCrossEntropyLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "cce";

    /** The default ignore index (PyTorch's). */
    public static final long DEFAULT_IGNORE_INDEX = -100;

    /** {@code filterEps}: machine epsilon of the compute dtype / 32. */
    public static final String AUTO = "auto";

    /** {@code filterEps}: no filtering, exact gradients. */
    public static final String NONE = "none";

    /** The words {@code filterEps} takes besides a number. */
    public enum FilterEps implements Choice {
        /** Machine epsilon of the compute dtype / 32. */
        AUTO,
        /** No filtering: exact gradients. */
        NONE
    }

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, CutCrossEntropyLoss.class)
                    .paper("Wijmans, Huval, Hertzberg, Koltun, Krähenbühl: Cut Your Losses in Large-Vocabulary"
                            + " Language Models, ICLR 2025, arXiv 2411.09009")
                    .prediction("P0 embeddings (N,D) or (B,T,D)")
                    .prediction("P1 classifier (V,D)")
                    .prediction("P2? bias (V)")
                    .label("L0 targets (N) or (B,T) int64")
                    .example("a language model's hidden states and output head: examples/run-examples.sh lm.TinyLanguageModel;"
                            + " speed and memory: lossforge bench cce")
                    .param(ParamSpec.integer("ignoreIndex", DEFAULT_IGNORE_INDEX, "target value that is ignored"))
                    .param(ParamSpec.number("softcap", 0.0, "≥ 0: logits s·tanh(x/s); 0 = off"))
                    .param(ParamSpec.integer("shift", 0L, "≥ 0: position t predicts target t + shift"))
                    .param(ParamSpec.wordOrNumber("filterEps", AUTO, List.of(AUTO, NONE),
                            "gradient filtering threshold: auto (dtype eps/32), a number, or none (exact)"))
                    .param(ParamSpec.wordOrNumber("blockSize", AUTO, List.of(AUTO),
                            "vocabulary entries per block: auto (from N, D and memory) or a number"))
                    .param(ParamSpec.bool("sortVocab", false, "visit the vocabulary by mean logit when filtering"))
                    .param(ParamSpec.number("zLossScale", 0.0, "≥ 0: weight of the PaLM log-Z² penalty"))
                    .param(ParamSpec.number("labelSmoothing", 0.0, "[0, 1]: spread over all V classes"))
                    .factory(p -> builder()
                            .optIgnoreIndex(p.integer("ignoreIndex"))
                            .optSoftcap(p.number("softcap"))
                            .optShift(Math.toIntExact(p.integer("shift")))
                            // a Double or a word; a Double's text parses back to the same value
                            .optFilterEps(String.valueOf(p.get("filterEps")))
                            .optBlockSize(String.valueOf(p.get("blockSize")))
                            .optSortVocab(p.bool("sortVocab"))
                            .optZLossScale(p.number("zLossScale"))
                            .optLabelSmoothing(p.number("labelSmoothing"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final long ignoreIndex;
    private final int shift;
    private final double filterEps;
    private final boolean autoFilter;
    private final LinearCrossEntropyOptions options;

    private CutCrossEntropyLoss(Builder b) {
        super(ID, b.reduction(), true);
        if (b.shift < 0) {
            throw new IllegalArgumentException(ID + ": shift must be ≥ 0, got " + b.shift);
        }
        if (!b.autoFilter && !(b.filterEps >= 0 && Double.isFinite(b.filterEps))) {
            throw new IllegalArgumentException(
                    ID + ": filterEps must be auto, none or a finite number ≥ 0, got " + b.filterEps);
        }
        this.ignoreIndex = b.ignoreIndex;
        this.shift = b.shift;
        this.filterEps = b.filterEps;
        this.autoFilter = b.autoFilter;
        try {
            this.options = new LinearCrossEntropyOptions(
                    b.softcap, b.labelSmoothing, b.zLossScale, 0, b.sortVocab, b.blockSize, b.memoryBudget);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(ID + ": " + ex.getMessage(), ex);
        }
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
     * The gradient filtering threshold for a compute dtype.
     *
     * @param computeType float32 or float64
     * @return the threshold, 0 for exact
     */
    public double filterEps(DataType computeType) {
        if (!autoFilter) {
            return filterEps;
        }
        return (computeType == DataType.FLOAT64 ? Math.ulp(1.0) : (double) Math.ulp(1.0f)) / 32;
    }

    /**
     * The kernel options (with filtering off; {@link #filterEps(DataType)} gives the threshold).
     *
     * @return the options
     */
    public LinearCrossEntropyOptions options() {
        return options;
    }

    /** {@inheritDoc} */
    @Override
    protected NDArray compute(LossInputs in) {
        in.requireSlots(1, 1, 2, 3);
        Slot embeddings = in.prediction(0, "embeddings").requireRank("(N, D) or (B, T, D)", 2, 3);
        Shape eShape = embeddings.shape();
        int rank = eShape.dimension();
        long d = eShape.get(rank - 1);
        Slot classifier = in.prediction(1, "classifier").requireRank("(V, D)", 2);
        if (classifier.size(1) != d) {
            throw classifier.fail("has shape " + classifier.shape() + ", expected (V, " + d
                    + ") to match the hidden size of " + embeddings.describe() + " " + eShape);
        }
        long v = classifier.size(0);
        Slot bias = null;
        if (in.hasPrediction(2)) {
            bias = in.prediction(2, "bias").requireShape(new Shape(v), "(V) to match " + classifier.describe());
        }
        Slot targets = in.label(0, "targets").requireIntegers();
        Shape positions = eShape.slice(0, rank - 1);
        targets.requireShape(positions, (rank == 2 ? "(N)" : "(B, T)") + " to match " + embeddings.describe()
                + " " + eShape);
        long sequence = eShape.get(rank - 2);
        if (shift >= sequence) {
            throw embeddings.fail("has " + sequence + " positions along its sequence axis, which shift "
                    + shift + " leaves without a prediction: expected more than " + shift);
        }
        NDArray target = targets.array().toType(DataType.INT64, false);
        requireTargetsInRange(targets, target, v);

        long n = positions.size();
        NDArray flatE = embeddings.array().reshape(n, d);
        NDArray shifted = shiftTargets(target, rank).reshape(n);
        NDArray kept = shifted.neq(ignoreIndex);
        NDArray safeTargets = NDArrays.where(kept, shifted, shifted.zerosLike());
        DataType type = in.computeType();
        NDArray keptF = kept.toType(type, false);
        // the mean over kept tokens, 0 when none is kept (no host read: max(count, 1) on the device)
        NDArray weights = reduction() == Reduction.MEAN ? keptF.div(Scalar.max(keptF.sum(), 1)) : keptF;

        NDArray c = classifier.array();
        NDArray b = bias == null ? null : bias.array();
        boolean recording = PtEngineAdapter.isGradientRecording(flatE);
        LinearCrossEntropyProblem problem = new LinearCrossEntropyProblem(
                flatE.stopGradient(), c.stopGradient(), b == null ? null : b.stopGradient(),
                safeTargets, weights, withFilter(type), recording, recording, recording && b != null);
        LinearCrossEntropyResult r = Kernels.linearCrossEntropy(flatE.getDevice()).run(problem);

        NDArray tokenLoss = r.tokenLoss().mul(keptF);
        NDArray shared = null;
        if (r.gradClassifier() != null) {
            shared = innerProductTerm(c, r.gradClassifier());
        }
        if (r.gradBias() != null) {
            NDArray biasTerm = innerProductTerm(b, r.gradBias());
            shared = shared == null ? biasTerm : shared.add(biasTerm);
        }
        if (reduction() == Reduction.NONE) {
            NDArray perToken = tokenLoss;
            if (r.gradEmbeddings() != null) {
                NDArray rowDot = flatE.mul(r.gradEmbeddings()).sum(new int[] {1});
                perToken = perToken.add(rowDot.sub(rowDot.stopGradient()));
            }
            NDArray out = unshift(perToken.reshape(positions), rank);
            // the classifier and bias terms are shared by all values (exact for uniform upstream weights)
            return shared == null ? out : out.add(Scalar.div(shared, out.getShape().size()));
        }
        NDArray value = r.tokenLoss().mul(weights).sum();
        if (r.gradEmbeddings() != null) {
            value = value.add(innerProductTerm(flatE, r.gradEmbeddings()));
        }
        return shared == null ? value : value.add(shared);
    }

    /** ⟨x, g⟩ − sg(⟨x, g⟩): value 0, gradient g with respect to x. */
    private static NDArray innerProductTerm(NDArray x, NDArray g) {
        NDArray dot = x.reshape(-1).dot(g.reshape(-1));
        return dot.sub(dot.stopGradient());
    }

    /** The reduction happens inside {@link #compute}: the kernel's gradient weights depend on it. */
    @Override
    protected NDArray reduce(NDArray values) {
        return values;
    }

    private LinearCrossEntropyOptions withFilter(DataType computeType) {
        return new LinearCrossEntropyOptions(options.softcap(), options.labelSmoothing(), options.zLossScale(),
                filterEps(computeType), options.sortVocab(), options.blockSize(), options.memoryBudget());
    }

    private void requireTargetsInRange(Slot slot, NDArray target, long v) {
        slot.requireValues(a -> {
            NDArray counted = NDArrays.where(target.neq(ignoreIndex), target, target.zerosLike());
            return new NDArray[] {counted.min(), counted.max()};
        }, m -> m[0] < 0 || m[1] >= v
                ? "holds class index " + (long) (m[0] < 0 ? m[0] : m[1]) + ", expected indices in [0, " + v
                        + ") or the ignore index " + ignoreIndex
                : null);
    }

    /** Target t + shift at position t; the last {@code shift} positions are ignored. */
    private NDArray shiftTargets(NDArray target, int rank) {
        if (shift == 0) {
            return target;
        }
        NDManager manager = target.getManager();
        if (rank == 2) {
            NDArray tail = manager.full(new Shape(shift), ignoreIndex, DataType.INT64, target.getDevice());
            return NDArrays.concat(new NDList(target.get(new NDIndex("{}:", shift)), tail), 0);
        }
        NDArray tail = manager.full(new Shape(target.getShape().get(0), shift), ignoreIndex, DataType.INT64, target.getDevice());
        return NDArrays.concat(new NDList(target.get(new NDIndex(":, {}:", shift)), tail), 1);
    }

    /** Drops the last {@code shift} positions, which have no target. */
    private NDArray unshift(NDArray values, int rank) {
        if (shift == 0) {
            return values;
        }
        long keep = values.getShape().get(rank - 2) - shift;
        return rank == 2 ? values.get(new NDIndex(":{}", keep)) : values.get(new NDIndex(":, :{}", keep));
    }

    /** Builds a {@link CutCrossEntropyLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private long ignoreIndex = DEFAULT_IGNORE_INDEX;
        private double softcap;
        private int shift;
        private double filterEps;
        private boolean autoFilter = true;
        private int blockSize;
        private long memoryBudget = LinearCrossEntropyOptions.DEFAULT_MEMORY_BUDGET;
        private boolean sortVocab;
        private double zLossScale;
        private double labelSmoothing;

        private Builder() {}

        /**
         * Sets the target value that is ignored.
         *
         * @param ignoreIndex the value (default −100)
         * @return this
         */
        public Builder optIgnoreIndex(long ignoreIndex) {
            this.ignoreIndex = ignoreIndex;
            return this;
        }

        /**
         * Sets the logit softcap s: logits become s·tanh(x/s).
         *
         * @param softcap ≥ 0 (default 0 = off)
         * @return this
         */
        public Builder optSoftcap(double softcap) {
            this.softcap = softcap;
            return this;
        }

        /**
         * Sets the shift k: position t predicts target t + k.
         *
         * @param shift ≥ 0 (default 0)
         * @return this
         */
        public Builder optShift(int shift) {
            this.shift = shift;
            return this;
        }

        /**
         * Sets the gradient filtering threshold.
         *
         * @param filterEps ≥ 0; 0 is exact
         * @return this
         */
        public Builder optFilterEps(double filterEps) {
            this.filterEps = filterEps;
            this.autoFilter = false;
            return this;
        }

        /**
         * Sets the gradient filtering threshold by its word.
         *
         * @param filterEps {@link FilterEps#AUTO} (default: dtype eps / 32) or {@link FilterEps#NONE} (exact)
         * @return this
         */
        public Builder optFilterEps(FilterEps filterEps) {
            if (Choice.require(filterEps, ID, "filterEps") == FilterEps.AUTO) {
                this.autoFilter = true;
                return this;
            }
            return optFilterEps(0.0);
        }

        /**
         * Sets the gradient filtering threshold by word or numeric text, as the registry and the CLI give it.
         *
         * @param filterEps {@code auto} (default), {@code none} (case-insensitive) or a number
         * @return this
         * @throws IllegalArgumentException when the text is neither a word nor a number
         */
        public Builder optFilterEps(String filterEps) {
            Double number = parseNumber(filterEps);
            return number != null
                    ? optFilterEps(number.doubleValue())
                    : optFilterEps(Choice.parse(FilterEps.class, ID, "filterEps", filterEps));
        }

        /**
         * Sets the vocabulary block size.
         *
         * @param blockSize entries per block, 0 for automatic (default)
         * @return this
         */
        public Builder optBlockSize(int blockSize) {
            this.blockSize = blockSize;
            return this;
        }

        /**
         * Sets the vocabulary block size by word or numeric text, as the registry and the CLI give it.
         *
         * @param blockSize {@code auto} (default, case-insensitive) or a whole number ≥ 0
         * @return this
         * @throws IllegalArgumentException when the text is neither
         */
        public Builder optBlockSize(String blockSize) {
            Double number = parseNumber(blockSize);
            if (number == null) {
                if (!AUTO.equalsIgnoreCase(blockSize.trim())) {
                    throw new IllegalArgumentException(ID + ": parameter 'blockSize' got '" + blockSize
                            + "', expected auto or a whole number ≥ 0");
                }
                return optBlockSize(0);
            }
            double value = number;
            if (value != Math.rint(value) || value < 0 || value > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(
                        ID + ": blockSize must be auto or a whole number ≥ 0, got " + blockSize);
            }
            return optBlockSize((int) value);
        }

        private static @Nullable Double parseNumber(String text) {
            try {
                return Double.valueOf(text.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }

        /**
         * Sets the memory the per-block temporaries may take when the block size is automatic.
         *
         * @param bytes &gt; 0 (default 64 MiB)
         * @return this
         */
        public Builder optBlockMemoryBudget(long bytes) {
            this.memoryBudget = bytes;
            return this;
        }

        /**
         * Sets whether the gradient pass visits the vocabulary sorted by mean logit.
         *
         * @param sortVocab default false
         * @return this
         */
        public Builder optSortVocab(boolean sortVocab) {
            this.sortVocab = sortVocab;
            return this;
        }

        /**
         * Sets the weight λ of the PaLM log-Z² penalty λ·LSE².
         *
         * @param zLossScale ≥ 0 (default 0)
         * @return this
         */
        public Builder optZLossScale(double zLossScale) {
            this.zLossScale = zLossScale;
            return this;
        }

        /**
         * Sets the label smoothing ε, spread over all V classes.
         *
         * @param labelSmoothing in [0, 1] (default 0)
         * @return this
         */
        public Builder optLabelSmoothing(double labelSmoothing) {
            this.labelSmoothing = labelSmoothing;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public CutCrossEntropyLoss build() {
            return new CutCrossEntropyLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}

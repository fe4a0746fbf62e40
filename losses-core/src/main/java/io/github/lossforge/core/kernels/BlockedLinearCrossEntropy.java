package io.github.lossforge.core.kernels;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.Scalar;

/**
 * The portable fused linear cross-entropy: engine GEMMs over vocabulary blocks, so no more than
 * N × block logits exist at any time (the Cut Cross-Entropy algorithm of Wijmans et al., 2024, with
 * blocked engine operations in place of the paper's Triton tiles).
 *
 * <ol>
 *   <li><b>Value pass</b>: for each block of B vocabulary entries, the logits \( z = \mathrm{softcap}(E
 *       C_b^\top + b_b) \) (N, B), merged into the running per-token log-sum-exp (online
 *       log-add-exp, in the compute dtype: float32 or wider); the target logit comes from an indexed
 *       dot product \( e_i \cdot c_{y_i} \) and never from the blocks.
 *   <li><b>Gradient pass</b> (only when a gradient is asked for): each block's logits are recomputed,
 *       \( A = f \odot (P \cdot (1 + 2\lambda\,\mathrm{LSE}) - (1-\varepsilon)\,\mathrm{onehot}) +
 *       \frac{\varepsilon}{V} t^2 \) with \( P = e^{z - \mathrm{LSE}} \), the softcap chain factor \( f = 1 -
 *       t^2 \), \( t = z / s \) (f = 1, no t² term without softcap), \( G = w \odot A \), and \( dE
 *       \mathrel{+}= G C_b \), \( dC_b = G^\top E \), \( db_b = \textstyle\sum_i G_i \). The dense
 *       label-smoothing term \( -\frac{\varepsilon}{V} w_i \) is added in closed form afterwards
 *       (\( dE \mathrel{-}= \frac{\varepsilon}{V} w \otimes \sum_v c_v \), \( dC_v \mathrel{-}=
 *       \frac{\varepsilon}{V} \sum_i w_i e_i \)), so it does not defeat filtering.
 *   <li><b>Filtering</b> ({@code filterEps} &gt; 0): in each block, the tokens whose every |A| is
 *       below the threshold are left out of both gradient GEMMs (rows are gathered, the products
 *       scattered back). Tiles are (1 token × block), finer than the paper's (16–128 tokens ×
 *       block): every skipped entry is still below the threshold, so the error bound per entry is
 *       the same. With {@code sortVocab} the gradient pass visits the vocabulary sorted by mean logit
 *       (descending), which clusters the entries that matter into few blocks.
 * </ol>
 *
 * <p>Exponents are floored at −70 before {@code exp}: probabilities below e^−70 ≈ 4e−31 become
 * e^−70 (invisible at any dtype's resolution), and float32 arithmetic stays out of the subnormal
 * range, which CPUs process several times slower. The one-hot term is applied by an indexed update
 * at the targets of the block, not by an N × block comparison.
 *
 * <p>One fused block: without softcap, when {@value #FUSED_TEMPORARIES} N × V arrays fit the memory
 * budget (automatic block size) or the block size set covers V, one pass computes the logits once
 * and takes both the log-sum-exp and the exact gradient from their exponentials: three GEMMs, as
 * many as the materialised composition, instead of the two passes' four.
 *
 * <p>Peak extra memory: dE and dC plus about {@value #BLOCK_TEMPORARIES} arrays of N × block (the
 * automatic block size keeps them within the memory budget), or {@value #FUSED_TEMPORARIES} of N × V
 * in the fused block.
 *
 * <p>Host reads: none per block. The one-hot term is a gather and an indexed write at fixed
 * (row, column) pairs, with rows whose target lies outside the block left unchanged. Filtering
 * gathers the kept rows, whose number sets an array shape, so it reads the host once per block: it
 * runs on the CPU only, where a host read costs no device synchronisation; on other devices this
 * portable kernel computes the exact gradient instead (filtering is an approximation of it).
 */
public final class BlockedLinearCrossEntropy implements LinearCrossEntropyKernel {

    /** The one instance (the kernel holds no state). */
    public static final BlockedLinearCrossEntropy INSTANCE = new BlockedLinearCrossEntropy();

    /** N × block arrays alive at once at the peak of the gradient pass. */
    public static final int BLOCK_TEMPORARIES = 4;

    /**
     * N × V arrays alive at once in the single fused block (the logits and their exponentials),
     * which the automatic choice takes when they fit the memory budget.
     */
    public static final int FUSED_TEMPORARIES = 2;

    /** Exponents are floored here before exp (see {@link #expFloored}). */
    private static final double EXP_FLOOR = -70;

    /** Automatic block sizes are multiples of this (when the budget allows it). */
    private static final int BLOCK_ALIGN = 64;

    private BlockedLinearCrossEntropy() {}

    /** {@inheritDoc} */
    @Override
    public String name() {
        return "blocked-engine";
    }

    /** {@inheritDoc} */
    @Override
    public boolean supports(Device device) {
        return true;
    }

    /**
     * The automatic vocabulary block size: as many entries as fit {@value #BLOCK_TEMPORARIES} N ×
     * block temporaries plus two block × D slices in the budget, rounded down to a multiple of 64,
     * at least 1 and at most V.
     *
     * @param n tokens
     * @param d hidden size
     * @param v vocabulary size
     * @param bytesPerElement bytes per element of the compute dtype
     * @param budget bytes the temporaries may take
     * @return the block size
     */
    public static int autoBlockSize(long n, long d, long v, int bytesPerElement, long budget) {
        double perEntry = (double) bytesPerElement * (BLOCK_TEMPORARIES * (double) n + 2.0 * d);
        long b = (long) (budget / perEntry);
        if (b >= BLOCK_ALIGN) {
            b = b / BLOCK_ALIGN * BLOCK_ALIGN;
        }
        b = Math.max(1, Math.min(b, v));
        return (int) Math.min(b, Integer.MAX_VALUE);
    }

    /** {@inheritDoc} */
    @Override
    public LinearCrossEntropyResult run(LinearCrossEntropyProblem p) {
        NDArray e = p.embeddings();
        NDArray c = p.classifier();
        LinearCrossEntropyOptions o = p.options();
        long n = e.getShape().get(0);
        long d = e.getShape().get(1);
        long v = c.getShape().get(0);
        int block = o.blockSize() > 0
                ? (int) Math.min(o.blockSize(), v)
                : autoBlockSize(n, d, v, e.getDataType().getNumOfBytes(), o.memoryBudget());
        boolean fused = o.softcap() == 0 && (o.blockSize() > 0
                ? o.blockSize() >= v
                : FUSED_TEMPORARIES * (double) n * v * e.getDataType().getNumOfBytes() <= o.memoryBudget());
        Blocks blocks = new Blocks(p, fused ? (int) v : block);
        NDArray sumC = o.labelSmoothing() > 0 ? c.sum(new int[] {0}) : null;
        if (fused) {
            return fusedPass(blocks, sumC);
        }
        ValuePass values = valuePass(blocks, sumC);
        NDArray tokenLoss = tokenLoss(p, values, sumC);
        NDArray[] grads = p.anyGradient() ? gradientPass(blocks, values, sumC) : new NDArray[3];
        return new LinearCrossEntropyResult(tokenLoss, values.lse, grads[0], grads[1], grads[2], block);
    }

    /**
     * One block covering the vocabulary (no softcap): the logits are computed once, and their
     * exponentials serve both the log-sum-exp and the gradient (\( P = e^{z - m} / \sum_v e^{z_v - m}
     * \)), so a step costs three GEMMs (the logits, dE, dC) like the materialised composition. The
     * gradient is exact: filtering saves nothing when one block holds every entry of a row.
     */
    private static LinearCrossEntropyResult fusedPass(Blocks blocks, NDArray sumC) {
        LinearCrossEntropyProblem p = blocks.problem;
        LinearCrossEntropyOptions o = p.options();
        NDArray e = p.embeddings();
        NDArray c = p.classifier();
        NDArray z = blocks.cappedLogits(c, p.bias());
        NDArray max = z.max(new int[] {1}, true);
        NDArray exps = expFloored(z.subi(max));
        NDArray sums = exps.sum(new int[] {1}, true);
        ValuePass values = new ValuePass();
        values.lse = sums.log().addi(max).squeeze(1);
        NDArray tokenLoss = tokenLoss(p, values, sumC);
        if (!p.anyGradient()) {
            exps.close();
            return new LinearCrossEntropyResult(tokenLoss, values.lse, null, null, null, (int) blocks.v);
        }
        // A = P (1 + 2λ LSE) − (1 − ε) onehot; without the z-loss kept as (e^{z−m} − (1 − ε) Σ) / Σ,
        // the row factor 1/Σ going into the N × D products instead of a pass over N × V
        double eps = o.labelSmoothing();
        NDArray a = exps;
        NDArray rowFactor = sums;
        if (o.zLossScale() > 0) {
            a.divi(sums).muli(Scalar.mul(values.lse, 2 * o.zLossScale()).addi(Scalar.of(a, 1)).expandDims(1));
            rowFactor = null;
        }
        if (eps < 1) {
            NDIndex at = new NDIndex("{}, {}", Numerics.range(e, 0, e.getShape().get(0)), p.targets());
            NDArray amount = rowFactor == null ? Scalar.of(a, 1 - eps) : Scalar.mul(sums.squeeze(1), 1 - eps);
            a.set(at, a.get(at).subi(amount));
        }
        NDArray weights = p.weights();
        NDArray weightColumn = rowFactor == null ? weights.expandDims(1) : weights.expandDims(1).div(rowFactor);
        NDArray dE = null;
        if (p.gradEmbeddings()) {
            dE = a.matMul(c).muli(weightColumn);
        }
        NDArray aT = a.transpose();
        NDArray dC = p.gradClassifier() ? aT.matMul(e.mul(weightColumn)) : null;
        NDArray dB = p.gradBias() && p.bias() != null ? aT.matMul(weightColumn).squeeze(1) : null;
        a.close();
        if (eps > 0) {
            smoothingTerms(p, sumC, eps / blocks.v, dE, dC, dB);
        }
        return new LinearCrossEntropyResult(tokenLoss, values.lse, dE, dC, dB, (int) blocks.v);
    }

    /** The running results of the value pass. */
    private static final class ValuePass {
        NDArray lse;
        NDArray logitSum;
        NDArray logitSumPerClass;
    }

    private static ValuePass valuePass(Blocks blocks, NDArray sumC) {
        LinearCrossEntropyProblem p = blocks.problem;
        LinearCrossEntropyOptions o = p.options();
        boolean sumLogitsInBlocks = o.labelSmoothing() > 0 && o.softcap() > 0;
        ValuePass out = new ValuePass();
        NDArray keptRow = null;
        if (o.sortVocab()) {
            keptRow = p.weights().neq(0).toType(p.weights().getDataType(), false).expandDims(0);
            out.logitSumPerClass = p.classifier().getManager()
                    .zeros(new Shape(blocks.v), p.weights().getDataType(), p.classifier().getDevice());
        }
        for (long v0 = 0; v0 < blocks.v; v0 += blocks.size) {
            long v1 = Math.min(blocks.v, v0 + blocks.size);
            NDArray lse;
            NDArray logitSum = null;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDIndex range = new NDIndex("{}:{}", v0, v1);
                NDArray z = blocks.cappedLogits(p.classifier().get(range), p.bias() == null ? null : p.bias().get(range));
                if (sumLogitsInBlocks) {
                    NDArray s = z.sum(new int[] {1});
                    logitSum = out.logitSum == null ? s : out.logitSum.add(s);
                }
                if (keptRow != null) {
                    out.logitSumPerClass.set(range, keptRow.matMul(z).squeeze(0));
                }
                NDArray max = z.max(new int[] {1}, true);
                NDArray blockLse = expFloored(z.subi(max)).sum(new int[] {1}).log().addi(max.squeeze(1));
                lse = out.lse == null ? blockLse : logAddExp(out.lse, blockLse);
                NDScope.unregister(lse);
                if (logitSum != null) {
                    NDScope.unregister(logitSum);
                }
            }
            out.lse = replace(out.lse, lse);
            if (logitSum != null) {
                out.logitSum = replace(out.logitSum, logitSum);
            }
        }
        return out;
    }

    /**
     * {@code exp(max(x, EXP_FLOOR))}, closing x: the floor keeps float32 results out of the
     * subnormal range, where CPU arithmetic is several times slower (measured: 5–7× for exp and sum);
     * it changes a probability below e^−70 ≈ 4e−31 into e^−70, far below any dtype's resolution of 1.
     */
    private static NDArray expFloored(NDArray x) {
        NDArray floored = x.maximum(Scalar.of(x, EXP_FLOOR));
        x.close();
        NDArray out = floored.exp();
        floored.close();
        return out;
    }

    private static NDArray replace(NDArray old, NDArray fresh) {
        NDScope.register(fresh);
        if (old != null && old != fresh) {
            old.close();
        }
        return fresh;
    }

    private static NDArray logAddExp(NDArray a, NDArray b) {
        NDArray max = a.maximum(b);
        return a.sub(max).exp().addi(b.sub(max).exp()).log().addi(max);
    }

    /** ℓ = LSE − (1−ε) z_y − (ε/V) Σ_v z_v + λ LSE². */
    private static NDArray tokenLoss(LinearCrossEntropyProblem p, ValuePass values, NDArray sumC) {
        LinearCrossEntropyOptions o = p.options();
        NDArray e = p.embeddings();
        NDArray c = p.classifier();
        NDIndex byTarget = new NDIndex("{}", p.targets());
        NDArray targetLogit;
        try (NDArray targetRows = c.get(byTarget); NDArray products = e.mul(targetRows)) {
            targetLogit = products.sum(new int[] {1});
        }
        if (p.bias() != null) {
            targetLogit = targetLogit.add(p.bias().get(byTarget));
        }
        targetLogit = softcap(targetLogit, o.softcap());
        NDArray loss = values.lse.sub(Scalar.mul(targetLogit, 1 - o.labelSmoothing()));
        double eps = o.labelSmoothing();
        if (eps > 0) {
            NDArray logitSum = values.logitSum;
            if (logitSum == null) {
                // without softcap Σ_v z_v = e·Σ_v c_v + Σ_v b_v in closed form
                logitSum = e.matMul(sumC.expandDims(1)).squeeze(1);
                if (p.bias() != null) {
                    logitSum = logitSum.add(p.bias().sum());
                }
            }
            loss = loss.sub(Scalar.mul(logitSum, eps / c.getShape().get(0)));
        }
        if (o.zLossScale() > 0) {
            loss = loss.add(Scalar.mul(values.lse.square(), o.zLossScale()));
        }
        return loss;
    }

    private static NDArray softcap(NDArray raw, double s) {
        if (s <= 0) {
            return raw;
        }
        return Scalar.mul(Scalar.div(raw, s).tanh(), s);
    }

    /** Returns {dE, dC, dbias}, each null when not asked for. */
    private static NDArray[] gradientPass(Blocks blocks, ValuePass values, NDArray sumC) {
        LinearCrossEntropyProblem p = blocks.problem;
        LinearCrossEntropyOptions o = p.options();
        NDArray e = p.embeddings();
        NDArray c = p.classifier();
        NDManager manager = c.getManager();
        DataType type = e.getDataType();
        boolean wantE = p.gradEmbeddings();
        boolean wantC = p.gradClassifier();
        boolean wantB = p.gradBias() && p.bias() != null;
        NDArray dE = wantE ? manager.zeros(e.getShape(), type, e.getDevice()) : null;
        NDArray dC = wantC ? manager.zeros(c.getShape(), type, c.getDevice()) : null;
        NDArray dB = wantB ? manager.zeros(p.bias().getShape(), type, c.getDevice()) : null;
        double eps = o.labelSmoothing();
        double epsOverV = eps / blocks.v;
        NDArray weights = p.weights();
        // the token weights enter once: dE rows are scaled at the end, dC_b = Aᵀ (w ⊙ E), db_b = Aᵀ w
        NDArray weightedE = wantC ? e.mul(weights.expandDims(1)) : null;
        NDArray lseCol = values.lse.expandDims(1);
        NDArray zFactorCol = o.zLossScale() > 0 ? Scalar.mul(values.lse, 2 * o.zLossScale()).add(1).expandDims(1) : null;
        NDArray weighted = p.weights().neq(0);
        NDArray order = o.sortVocab() ? values.logitSumPerClass.argSort(0, false) : null;
        // where each target sits in the visiting order of the vocabulary
        NDArray targetPosition = order == null ? p.targets() : order.argSort().get(new NDIndex("{}", p.targets()));
        NDArray oneMinusEps = Scalar.of(e, 1 - eps);
        NDArray rowIds = Numerics.range(e, 0, e.getShape().get(0));
        boolean filter = o.filterEps() > 0 && !e.getDevice().isGpu();
        for (long v0 = 0; v0 < blocks.v; v0 += blocks.size) {
            long v1 = Math.min(blocks.v, v0 + blocks.size);
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDIndex where = order == null
                        ? new NDIndex("{}:{}", v0, v1)
                        : new NDIndex("{}", order.get(new NDIndex("{}:{}", v0, v1)));
                NDArray cBlock = c.get(where);
                NDArray raw = e.matMul(cBlock.transpose());
                if (p.bias() != null) {
                    raw.addi(p.bias().get(where));
                }
                NDArray t = null;
                NDArray z = raw;
                if (o.softcap() > 0) {
                    t = raw.divi(Scalar.of(raw, o.softcap())).tanh();
                    raw.close();
                    z = Scalar.mul(t, o.softcap());
                }
                NDArray a = expFloored(z.subi(lseCol));
                if (zFactorCol != null) {
                    a.muli(zFactorCol);
                }
                if (eps < 1) {
                    subtractAtTargets(a, rowIds, targetPosition, v0, v1, oneMinusEps);
                }
                if (t != null) {
                    NDArray tSquared = t.square();
                    t.close();
                    a.muli(tSquared.neg().addi(1));
                    if (eps > 0) {
                        a.addi(tSquared.muli(Scalar.of(tSquared, epsOverV)));
                    }
                    tSquared.close();
                }
                NDArray rows = filter
                        ? a.abs().max(new int[] {1}).gte(o.filterEps()).logicalAnd(weighted)
                        : null;
                accumulate(a, cBlock, weightedE, weights, rows, where, dE, dC, dB);
            }
        }
        if (weightedE != null) {
            weightedE.close();
        }
        if (dE != null) {
            dE.muli(weights.expandDims(1));
        }
        if (eps > 0) {
            smoothingTerms(p, sumC, epsOverV, dE, dC, dB);
        }
        return new NDArray[] {dE, dC, dB};
    }

    /**
     * a[i, y_i − v0] −= (1 − ε) for the tokens whose target lies in [v0, v1) of the visiting order:
     * every row is visited at a fixed column (its target's, or 0), and rows whose target lies
     * elsewhere write their entry back unchanged, so no array shape depends on the data.
     */
    private static void subtractAtTargets(NDArray a, NDArray rowIds, NDArray targetPosition, long v0, long v1,
            NDArray amount) {
        NDArray local = targetPosition.sub(v0);
        NDArray inBlock = local.gte(0).logicalAnd(local.lt(v1 - v0));
        NDIndex at = new NDIndex("{}, {}", rowIds, NDArrays.where(inBlock, local, local.zerosLike()));
        NDArray current = a.get(at);
        a.set(at, NDArrays.where(inBlock, current.sub(amount), current));
    }

    /**
     * Adds one block's share, A being the unweighted ∂ℓ/∂logit (N, block): dE += A C_b (rows are
     * weighted at the end), dC_b = Aᵀ (w ⊙ E), db_b = Aᵀ w; with filtering, only the kept rows.
     */
    private static void accumulate(NDArray a, NDArray cBlock, NDArray weightedE, NDArray weights, NDArray rows,
            NDIndex where, NDArray dE, NDArray dC, NDArray dB) {
        long n = a.getShape().get(0);
        long kept = rows == null ? n : rows.toType(DataType.INT64, false).sum().getLong();
        if (kept == 0) {
            return;
        }
        NDArray ak = a;
        NDArray ek = weightedE;
        NDArray wk = weights;
        NDIndex keptRows = null;
        if (kept < n) {
            keptRows = new NDIndex("{}", rows.nonzero().reshape(-1));
            ak = a.get(keptRows);
            ek = weightedE == null ? null : weightedE.get(keptRows);
            wk = weights.get(keptRows);
        }
        if (dE != null) {
            NDArray product = ak.matMul(cBlock);
            if (keptRows == null) {
                dE.addi(product);
            } else {
                dE.set(keptRows, dE.get(keptRows).addi(product));
            }
        }
        NDArray aT = ak.transpose();
        if (dC != null) {
            dC.set(where, aT.matMul(ek));
        }
        if (dB != null) {
            dB.set(where, aT.matMul(wk.expandDims(1)).squeeze(1));
        }
    }

    /** The dense −(ε/V)·w_i part of ∂ℓ/∂logit, in closed form. */
    private static void smoothingTerms(LinearCrossEntropyProblem p, NDArray sumC, double epsOverV,
            NDArray dE, NDArray dC, NDArray dB) {
        NDArray w = p.weights();
        NDArray scaledW = Scalar.mul(w, epsOverV);
        if (dE != null) {
            dE.subi(scaledW.expandDims(1).mul(sumC.expandDims(0)));
        }
        if (dC != null) {
            dC.subi(scaledW.expandDims(1).mul(p.embeddings()).sum(new int[] {0}).expandDims(0));
        }
        if (dB != null) {
            dB.subi(scaledW.sum());
        }
    }

    /** The embeddings, the options and the block layout shared by both passes. */
    private static final class Blocks {
        final LinearCrossEntropyProblem problem;
        final long v;
        final int size;

        Blocks(LinearCrossEntropyProblem problem, int size) {
            this.problem = problem;
            this.v = problem.classifier().getShape().get(0);
            this.size = size;
        }

        /** softcap(E · C_bᵀ + b_b), (N, block). */
        NDArray cappedLogits(NDArray cBlock, NDArray biasBlock) {
            NDArray raw = problem.embeddings().matMul(cBlock.transpose());
            if (biasBlock != null) {
                raw.addi(biasBlock);
            }
            double s = problem.options().softcap();
            if (s <= 0) {
                return raw;
            }
            NDArray t = raw.divi(Scalar.of(raw, s)).tanh();
            raw.close();
            return t.muli(Scalar.of(t, s));
        }
    }
}

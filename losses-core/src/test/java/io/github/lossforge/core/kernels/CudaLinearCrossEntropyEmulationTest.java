package io.github.lossforge.core.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.testkit.Close;

import org.junit.jupiter.api.Test;

import java.util.Random;

/**
 * The CUDA Cut Cross-Entropy kernels, compiled for the CPU and launched through the real Java glue
 * ({@link CudaLinearCrossEntropy} over {@link EmulatedLauncher}), against a float64 Java-loop reference,
 * the portable path and the plain autograd composition. Shapes are ragged against the tiles (N, V, D
 * not multiples of 4, 8, 8 or of the GPU tiles' 16, 32, 32).
 */
class CudaLinearCrossEntropyEmulationTest {

    private static final LinearCrossEntropyOptions EXACT = LinearCrossEntropyOptions.exact();

    /** Every option but filtering: softcap, label smoothing, z-loss. */
    static final LinearCrossEntropyOptions ALL = new LinearCrossEntropyOptions(4, 0.1, 0.01, 0, false, 0,
            LinearCrossEntropyOptions.DEFAULT_MEMORY_BUDGET);

    private static CudaLinearCrossEntropy emulated(CudaLinearCrossEntropy.Tiles tiles) {
        return new CudaLinearCrossEntropy(EmulatedKernels.launcher(CudaLinearCrossEntropy.MODULE), tiles);
    }

    /** Inputs in float64 on the Java side, with ignored tokens (weight 0) where asked. */
    record Case(int n, int v, int d, double[] e, double[] c, double[] b, long[] y, double[] w) {

        static Case random(int n, int v, int d, boolean bias, int ignoredEvery, long seed) {
            Random r = new Random(seed);
            double[] e = gaussian(r, n * d, 1.0);
            double[] c = gaussian(r, v * d, 1.0);
            double[] b = bias ? gaussian(r, v, 0.5) : null;
            long[] y = new long[n];
            double[] w = new double[n];
            for (int i = 0; i < n; i++) {
                y[i] = r.nextInt(v);
                w[i] = ignoredEvery > 0 && i % ignoredEvery == 1 ? 0 : 0.5 + r.nextDouble();
            }
            return new Case(n, v, d, e, c, b, y, w);
        }

        private static double[] gaussian(Random r, int size, double scale) {
            double[] x = new double[size];
            for (int i = 0; i < size; i++) {
                x[i] = scale * r.nextGaussian();
            }
            return x;
        }

        LinearCrossEntropyProblem problem(NDManager m, DataType type, LinearCrossEntropyOptions o) {
            return new LinearCrossEntropyProblem(
                    m.create(e, new Shape(n, d)).toType(type, false),
                    m.create(c, new Shape(v, d)).toType(type, false),
                    b == null ? null : m.create(b).toType(type, false),
                    m.create(y), m.create(w).toType(type, false), o, true, true, true);
        }

        /** Token losses, then dE, dC, db of Σ w_i ℓ_i, by double loops over the materialised logits. */
        double[][] reference(LinearCrossEntropyOptions o) {
            double[] loss = new double[n];
            double[] dE = new double[n * d];
            double[] dC = new double[v * d];
            double[] dB = new double[v];
            double s = o.softcap();
            double eps = o.labelSmoothing();
            for (int i = 0; i < n; i++) {
                double[] z = new double[v];
                double[] slope = new double[v];
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < v; k++) {
                    double raw = b == null ? 0 : b[k];
                    for (int j = 0; j < d; j++) {
                        raw += e[i * d + j] * c[k * d + j];
                    }
                    z[k] = s > 0 ? s * Math.tanh(raw / s) : raw;
                    slope[k] = s > 0 ? 1 - Math.tanh(raw / s) * Math.tanh(raw / s) : 1;
                    max = Math.max(max, z[k]);
                }
                double sumExp = 0;
                double sumZ = 0;
                for (double zk : z) {
                    sumExp += Math.exp(zk - max);
                    sumZ += zk;
                }
                double lse = max + Math.log(sumExp);
                int t = (int) y[i];
                loss[i] = lse - (1 - eps) * z[t] - eps / v * sumZ + o.zLossScale() * lse * lse;
                for (int k = 0; k < v; k++) {
                    double dz = Math.exp(z[k] - lse) * (1 + 2 * o.zLossScale() * lse) - (k == t ? 1 - eps : 0) - eps / v;
                    double g = w[i] * dz * slope[k];
                    dB[k] += g;
                    for (int j = 0; j < d; j++) {
                        dE[i * d + j] += g * c[k * d + j];
                        dC[k * d + j] += g * e[i * d + j];
                    }
                }
            }
            return new double[][] {loss, dE, dC, dB};
        }
    }

    /**
     * Token losses entry by entry; gradients entry by entry in float64, and on the scale of the largest
     * entry in float32 (an entry of dE or dC is a sum over V or N terms of either sign, so float32
     * rounding of the terms, not of the result, sets its error: measured ≈ 2e-8 of the scale).
     */
    static void assertMatches(String what, LinearCrossEntropyResult r, double[][] expected, double rel) {
        boolean f32 = r.tokenLoss().getDataType() == DataType.FLOAT32;
        Close.assertClose(what + " token losses", r.tokenLoss().toType(DataType.FLOAT64, false).toDoubleArray(),
                expected[0], rel);
        NDArray[] grads = {r.gradEmbeddings(), r.gradClassifier(), r.gradBias()};
        String[] names = {" dE", " dC", " db"};
        for (int g = 0; g < grads.length; g++) {
            if (grads[g] == null || expected.length <= g + 1 || expected[g + 1] == null) {
                continue;
            }
            double[] got = grads[g].toType(DataType.FLOAT64, false).toDoubleArray();
            if (f32) {
                assertCloseOnScale(what + names[g], got, expected[g + 1], rel);
            } else {
                Close.assertClose(what + names[g], got, expected[g + 1], rel);
            }
        }
    }

    private static void assertCloseOnScale(String what, double[] actual, double[] expected, double rel) {
        assertThat(actual).as(what + " size").hasSameSizeAs(expected);
        double scale = 0;
        for (double x : expected) {
            scale = Math.max(scale, Math.abs(x));
        }
        for (int i = 0; i < actual.length; i++) {
            assertThat(Math.abs(actual[i] - expected[i])).as("%s entry %d: %s vs %s", what, i, actual[i], expected[i])
                    .isLessThanOrEqualTo(rel * scale);
        }
    }

    static double[][] asArrays(LinearCrossEntropyResult r) {
        return new double[][] {
            r.tokenLoss().toType(DataType.FLOAT64, false).toDoubleArray(),
            r.gradEmbeddings().toType(DataType.FLOAT64, false).toDoubleArray(),
            r.gradClassifier().toType(DataType.FLOAT64, false).toDoubleArray(),
            r.gradBias() == null ? null : r.gradBias().toType(DataType.FLOAT64, false).toDoubleArray()};
    }

    private static LinearCrossEntropyOptions withBlocks(LinearCrossEntropyOptions o, double filterEps, boolean sort,
            int blockSize) {
        return new LinearCrossEntropyOptions(o.softcap(), o.labelSmoothing(), o.zLossScale(), filterEps, sort,
                blockSize, o.memoryBudget());
    }

    @Test
    void float32PlainCrossEntropyMatchesTheDoubleLoopsOnRaggedTiles() {
        Case k = Case.random(13, 37, 11, true, 0, 1);
        try (NDManager m = NDManager.newBaseManager()) {
            LinearCrossEntropyResult r = emulated(CudaLinearCrossEntropy.Tiles.EMULATION)
                    .run(k.problem(m, DataType.FLOAT32, EXACT));
            assertThat(r.tokenLoss().getDataType()).isEqualTo(DataType.FLOAT32);
            assertMatches("float32", r, k.reference(EXACT), 1e-5);
        }
    }

    @Test
    void float64EveryOptionWithIgnoredTokensMatchesTheDoubleLoopsTheAutogradCompositionAndThePortablePath() {
        Case k = Case.random(11, 29, 9, true, 3, 2);
        try (NDManager m = NDManager.newBaseManager()) {
            LinearCrossEntropyProblem p = k.problem(m, DataType.FLOAT64, ALL);
            LinearCrossEntropyResult r = emulated(CudaLinearCrossEntropy.Tiles.EMULATION).run(p);
            assertMatches("float64 vs loops", r, k.reference(ALL), 1e-10);
            assertMatches("float64 vs autograd", r, autograd(p), 1e-10);
            assertMatches("float64 vs portable", r, asArrays(BlockedLinearCrossEntropy.INSTANCE.run(p)), 1e-10);
        }
    }

    @Test
    void float32EveryOptionMatchesThePortablePath() {
        Case k = Case.random(10, 21, 14, true, 4, 3);
        try (NDManager m = NDManager.newBaseManager()) {
            LinearCrossEntropyProblem p = k.problem(m, DataType.FLOAT32, ALL);
            LinearCrossEntropyResult r = emulated(CudaLinearCrossEntropy.Tiles.EMULATION).run(p);
            assertMatches("float32 vs portable", r, asArrays(BlockedLinearCrossEntropy.INSTANCE.run(p)), 1e-5);
            assertMatches("float32 vs loops", r, k.reference(ALL), 1e-5);
        }
    }

    @Test
    void theGpuTileShapeGivesTheSameResultsUnderEmulation() {
        Case k = Case.random(18, 40, 35, true, 5, 4);
        try (NDManager m = NDManager.newBaseManager()) {
            LinearCrossEntropyProblem p = k.problem(m, DataType.FLOAT32, ALL);
            LinearCrossEntropyResult r = emulated(CudaLinearCrossEntropy.Tiles.GPU).run(p);
            assertThat(r.blockSize()).isEqualTo(32);
            assertMatches("GPU tiles", r, k.reference(ALL), 1e-5);
        }
    }

    @Test
    void aSingleTokenAndASingleClassTileWork() {
        Case k = Case.random(1, 3, 2, false, 0, 5);
        try (NDManager m = NDManager.newBaseManager()) {
            LinearCrossEntropyResult r = emulated(CudaLinearCrossEntropy.Tiles.EMULATION)
                    .run(k.problem(m, DataType.FLOAT64, ALL));
            assertThat(r.gradBias()).isNull();
            assertMatches("N = 1", r, k.reference(ALL), 1e-10);
        }
    }

    @Test
    void filteringSkipsTheSameEntriesAsThePortablePathWithTheTileWidthAsBlock() {
        Case k = Case.random(12, 45, 6, true, 4, 6);
        try (NDManager m = NDManager.newBaseManager()) {
            for (boolean sort : new boolean[] {false, true}) {
                for (LinearCrossEntropyOptions base : new LinearCrossEntropyOptions[] {EXACT, ALL}) {
                    LinearCrossEntropyOptions filtered = withBlocks(base, 2e-2, sort, 8);
                    LinearCrossEntropyProblem p = k.problem(m, DataType.FLOAT64, filtered);
                    LinearCrossEntropyResult r = emulated(CudaLinearCrossEntropy.Tiles.EMULATION).run(p);
                    double[][] portable = asArrays(BlockedLinearCrossEntropy.INSTANCE.run(p));
                    assertMatches("filtered, sorted " + sort + ", " + base, r, portable, 1e-10);
                    // filtering really dropped something: the exact gradient differs
                    double[] exact = k.reference(base)[2];
                    double[] got = r.gradClassifier().toDoubleArray();
                    double worst = 0;
                    for (int i = 0; i < exact.length; i++) {
                        worst = Math.max(worst, Math.abs(got[i] - exact[i]));
                    }
                    assertThat(worst).as("filtering changed dC").isGreaterThan(1e-8);
                }
            }
        }
    }

    @Test
    void onlyTheGradientsAskedForAreComputed() {
        Case k = Case.random(7, 19, 5, true, 0, 7);
        try (NDManager m = NDManager.newBaseManager()) {
            LinearCrossEntropyProblem all = k.problem(m, DataType.FLOAT64, ALL);
            CudaLinearCrossEntropy kernel = emulated(CudaLinearCrossEntropy.Tiles.EMULATION);
            LinearCrossEntropyResult valueOnly = kernel.run(new LinearCrossEntropyProblem(all.embeddings(),
                    all.classifier(), all.bias(), all.targets(), all.weights(), ALL, false, false, false));
            assertThat(valueOnly.gradEmbeddings()).isNull();
            assertThat(valueOnly.gradClassifier()).isNull();
            assertThat(valueOnly.gradBias()).isNull();
            double[][] expected = k.reference(ALL);
            Close.assertClose("values alone", valueOnly.tokenLoss().toDoubleArray(), expected[0], 1e-10);
            LinearCrossEntropyResult onlyC = kernel.run(new LinearCrossEntropyProblem(all.embeddings(),
                    all.classifier(), all.bias(), all.targets(), all.weights(), ALL, false, true, false));
            assertThat(onlyC.gradEmbeddings()).isNull();
            assertThat(onlyC.gradBias()).isNull();
            Close.assertClose("dC alone", onlyC.gradClassifier().toDoubleArray(), expected[2], 1e-10);
        }
    }

    @Test
    void everyTokenIgnoredGivesZeroGradients() {
        Case k = Case.random(6, 17, 4, true, 0, 8);
        java.util.Arrays.fill(k.w(), 0);
        try (NDManager m = NDManager.newBaseManager()) {
            LinearCrossEntropyResult r = emulated(CudaLinearCrossEntropy.Tiles.EMULATION)
                    .run(k.problem(m, DataType.FLOAT32, withBlocks(ALL, 1e-3, false, 0)));
            assertThat(r.gradEmbeddings().abs().max().getFloat()).isZero();
            assertThat(r.gradClassifier().abs().max().getFloat()).isZero();
            assertThat(r.gradBias().abs().max().getFloat()).isZero();
            Close.assertClose("token losses", r.tokenLoss().toType(DataType.FLOAT64, false).toDoubleArray(),
                    k.reference(ALL)[0], 1e-5);
        }
    }

    @Test
    void stridedInputsAreMadeContiguousFirst() {
        Case k = Case.random(9, 14, 6, false, 0, 9);
        try (NDManager m = NDManager.newBaseManager()) {
            LinearCrossEntropyProblem p = k.problem(m, DataType.FLOAT64, EXACT);
            // the classifier as the transpose of its transpose: a strided view with the same values
            NDArray strided = p.classifier().transpose().transpose();
            LinearCrossEntropyResult r = emulated(CudaLinearCrossEntropy.Tiles.EMULATION).run(new LinearCrossEntropyProblem(
                    p.embeddings(), strided, null, p.targets(), p.weights(), EXACT, true, true, false));
            assertMatches("strided", r, k.reference(EXACT), 1e-10);
        }
    }

    @Test
    void rejectsFloat16WithAClearMessage() {
        Case k = Case.random(2, 3, 2, false, 0, 10);
        try (NDManager m = NDManager.newBaseManager()) {
            LinearCrossEntropyProblem p = k.problem(m, DataType.FLOAT16, EXACT);
            assertThatThrownBy(() -> emulated(CudaLinearCrossEntropy.Tiles.EMULATION).run(p))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cce kernel").hasMessageContaining("float16");
        }
    }

    @Test
    void rejectsAVocabularyBeyondTheGridLimitBeforeLaunching() {
        try (NDManager m = NDManager.newBaseManager()) {
            LinearCrossEntropyProblem p = new LinearCrossEntropyProblem(m.zeros(new Shape(1, 1)),
                    m.zeros(new Shape(65535L * 8 + 1, 1)), null, m.zeros(new Shape(1), DataType.INT64),
                    m.ones(new Shape(1)), EXACT, true, true, false);
            assertThatThrownBy(() -> emulated(CudaLinearCrossEntropy.Tiles.EMULATION).run(p))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cce kernel: a vocabulary of 524281 needs more than 65535 tiles of 8");
        }
    }

    /** Token losses and the gradients of Σ w ℓ by DJL's autograd through the materialised logits. */
    private static double[][] autograd(LinearCrossEntropyProblem p) {
        LinearCrossEntropyOptions o = p.options();
        NDArray e = p.embeddings().duplicate();
        NDArray c = p.classifier().duplicate();
        NDArray b = p.bias().duplicate();
        e.setRequiresGradient(true);
        c.setRequiresGradient(true);
        b.setRequiresGradient(true);
        long v = c.getShape().get(0);
        double[] loss;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray raw = e.matMul(c.transpose()).add(b);
            NDArray z = o.softcap() > 0 ? Scalar.mul(Scalar.div(raw, o.softcap()).tanh(), o.softcap()) : raw;
            NDArray max = z.max(new int[] {1}, true).stopGradient();
            NDArray lse = z.sub(max).exp().sum(new int[] {1}).log().add(max.squeeze(1));
            NDArray target = z.mul(p.targets().oneHot((int) v, z.getDataType())).sum(new int[] {1});
            NDArray tokens = lse.sub(Scalar.mul(target, 1 - o.labelSmoothing()))
                    .sub(Scalar.mul(z.sum(new int[] {1}), o.labelSmoothing() / v))
                    .add(Scalar.mul(lse.square(), o.zLossScale()));
            loss = tokens.toDoubleArray();
            gc.backward(tokens.mul(p.weights()).sum());
        }
        return new double[][] {loss, e.getGradient().toDoubleArray(), c.getGradient().toDoubleArray(),
            b.getGradient().toDoubleArray()};
    }
}

package io.github.lossforge.core.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.kernels.BlockedLinearCrossEntropy;
import io.github.lossforge.core.kernels.Kernels;
import io.github.lossforge.core.kernels.LinearCrossEntropyKernel;
import io.github.lossforge.core.kernels.LinearCrossEntropyOptions;
import io.github.lossforge.core.kernels.LinearCrossEntropyProblem;
import io.github.lossforge.core.kernels.LinearCrossEntropyResult;
import io.github.lossforge.core.testkit.Close;
import io.github.lossforge.core.testkit.Evaluation;
import io.github.lossforge.core.testkit.Generators;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.LossContract;
import io.github.lossforge.core.testkit.Reference;
import io.github.lossforge.core.testkit.Sample;
import io.github.lossforge.core.testkit.TrainingTask;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

class CutCrossEntropyLossTest extends LossContract {

    private static final long IGNORE = CutCrossEntropyLoss.DEFAULT_IGNORE_INDEX;

    /** Embedding shapes and vocabulary sizes: batch 1 first, a flat (N, D) one, a (B, T, D) one. */
    private static final long[][] EMBEDDING_SHAPES = {{1, 3, 3}, {6, 4}, {2, 5, 3}};
    private static final int[] VOCABULARY = {5, 7, 13};

    /** The reference of the contract: a naive composition over all positions, mean over kept ones. */
    static Reference reference(NaiveLinearCrossEntropy.Options o) {
        return new Reference() {
            @Override
            public double[] perSample(Sample s) {
                return naive(o, s, Reduction.SUM).values();
            }

            @Override
            public double mean(Sample s) {
                return naive(o, s, Reduction.MEAN).reduced(Reduction.MEAN);
            }
        };
    }

    private static NaiveLinearCrossEntropy.Result naive(NaiveLinearCrossEntropy.Options o, Sample s, Reduction r) {
        HostTensor bias = s.predictions().size() > 2 ? s.prediction(2) : null;
        return NaiveLinearCrossEntropy.compute(o, s.prediction(0), s.prediction(1), bias, s.label(0), r);
    }

    private static Variant variant(String name, NaiveLinearCrossEntropy.Options o,
            Function<CutCrossEntropyLoss.Builder, CutCrossEntropyLoss.Builder> configure) {
        return new Variant(name, r -> configure.apply(CutCrossEntropyLoss.builder()
                .optSoftcap(o.softcap())
                .optShift(o.shift())
                .optLabelSmoothing(o.labelSmoothing())
                .optZLossScale(o.zLossScale())
                .optIgnoreIndex(o.ignoreIndex())
                .optReduction(r)).build(), reference(o));
    }

    @Override
    protected List<Variant> variants() {
        return List.of(
                variant("defaults", NaiveLinearCrossEntropy.Options.defaults(), b -> b),
                variant("softcap 2, smoothing 0.1, z-loss 0.01, blocks of 4",
                        new NaiveLinearCrossEntropy.Options(2.0, 0, 0.1, 0.01, IGNORE), b -> b.optBlockSize(4)),
                variant("shift 1, sorted vocabulary, blocks of 3, exact",
                        new NaiveLinearCrossEntropy.Options(0, 1, 0, 0, IGNORE),
                        b -> b.optSortVocab(true).optBlockSize(3).optFilterEps("none")));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        return sample(EMBEDDING_SHAPES[shape], VOCABULARY[shape], true, shape == 0 ? 0 : shape, rng);
    }

    /** Embeddings, classifier, optional bias, targets with {@code ignored} positions set to −100. */
    private static Sample sample(long[] eShape, int v, boolean withBias, int ignored, Random rng) {
        long d = eShape[eShape.length - 1];
        long[] tShape = Arrays.copyOf(eShape, eShape.length - 1);
        HostTensor e = Generators.normal(rng, 1.0, eShape);
        HostTensor c = Generators.normal(rng, 0.7, v, d);
        HostTensor t = Generators.classes(rng, v, tShape);
        double[] td = t.data();
        for (int k = 0; k < ignored; k++) {
            td[(3 * k + 1) % td.length] = IGNORE;
        }
        t = t.withData(td);
        List<HostTensor> predictions = new ArrayList<>(List.of(e, c));
        if (withBias) {
            predictions.add(Generators.normal(rng, 0.5, v));
        }
        return new Sample(List.of(t), predictions);
    }

    @Override
    protected List<RegistryCase> registryCases() {
        Map<String, Object> all = new HashMap<>();
        all.put("ignoreIndex", -100);
        all.put("softcap", 30);
        all.put("shift", 1);
        all.put("filterEps", "none");
        all.put("blockSize", 4);
        all.put("sortVocab", true);
        all.put("zLossScale", 1e-4);
        all.put("labelSmoothing", 0.1);
        all.put("reduction", "sum");
        return List.of(
                new RegistryCase(Map.of(), () -> CutCrossEntropyLoss.builder().build()),
                new RegistryCase(all, () -> CutCrossEntropyLoss.builder().optIgnoreIndex(-100).optSoftcap(30)
                        .optShift(1).optFilterEps(0.0).optBlockSize(4).optSortVocab(true).optZLossScale(1e-4)
                        .optLabelSmoothing(0.1).optReduction(Reduction.SUM).build()),
                new RegistryCase(Map.of("filterEps", 1e-3, "blockSize", "auto"),
                        () -> CutCrossEntropyLoss.builder().optFilterEps(1e-3).build()),
                new RegistryCase(Map.of("filterEps", "auto", "blockSize", 5.0),
                        () -> CutCrossEntropyLoss.builder().optBlockSize(5).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        HostTensor e = Generators.normal(rng, 1, 4, 3);
        HostTensor c = Generators.normal(rng, 1, 6, 3);
        HostTensor b = Generators.normal(rng, 1, 6);
        HostTensor t = Generators.classes(rng, 6, 4);
        return List.of(
                new BadInput("rank-4 embeddings", new Sample(List.of(t), List.of(e.reshape(1, 4, 3, 1), c)),
                        "predictions[0] (embeddings)", "(1, 4, 3, 1)", "(N, D) or (B, T, D)"),
                new BadInput("rank-1 classifier", new Sample(List.of(t), List.of(e, c.reshape(18))),
                        "predictions[1] (classifier)", "(18)", "(V, D)"),
                new BadInput("hidden size mismatch", new Sample(List.of(t), List.of(e, c.reshape(9, 2))),
                        "predictions[1] (classifier)", "(9, 2)", "(V, 3)"),
                new BadInput("bias of the wrong size", new Sample(List.of(t), List.of(e, c, b.firstRows(5))),
                        "predictions[2] (bias)", "(5)", "(6)"),
                new BadInput("targets of the wrong shape", new Sample(List.of(t.firstRows(3)), List.of(e, c)),
                        "labels[0] (targets)", "(3)", "(4)"),
                new BadInput("target out of range",
                        new Sample(List.of(HostTensor.longs(new long[] {0, 6, 1, 2}, 4)), List.of(e, c)),
                        "labels[0] (targets)", "6", "[0, 6)"),
                new BadInput("negative target that is not the ignore index",
                        new Sample(List.of(HostTensor.longs(new long[] {0, -1, 1, 2}, 4)), List.of(e, c)),
                        "labels[0] (targets)", "-1", "-100"),
                new BadInput("floating targets",
                        new Sample(List.of(t.withType(DataType.FLOAT32)), List.of(e, c)),
                        "labels[0] (targets)", "int64"),
                new BadInput("missing classifier", new Sample(List.of(t), List.of(e)), "predictions"),
                new BadInput("missing targets", new Sample(List.of(), List.of(e, c)), "labels"));
    }

    @Override
    protected TrainingTask trainingTask() {
        return new EmbeddingsAndClassifierTask(6, 8, 6, 16);
    }

    // ---------------------------------------------------------------- exact equality, every option

    @Test
    void valueAndGradientsEqualTheMaterialisedCompositionForEveryOptionCombination() {
        Random rng = new Random(42);
        int checked = 0;
        for (double softcap : new double[] {0, 2.5}) {
            for (boolean withBias : new boolean[] {false, true}) {
                for (int shift : new int[] {0, 1}) {
                    for (Reduction reduction : Reduction.values()) {
                        for (int ignored : new int[] {0, 3}) {
                            for (double smoothing : new double[] {0, 0.1}) {
                                for (double zLoss : new double[] {0, 0.01}) {
                                    NaiveLinearCrossEntropy.Options o = new NaiveLinearCrossEntropy.Options(
                                            softcap, shift, smoothing, zLoss, IGNORE);
                                    Sample s = sample(new long[] {2, 4, 3}, 7, withBias, ignored, rng);
                                    BaseLoss loss = builderFor(o).optBlockSize(3).optFilterEps("none")
                                            .optReduction(reduction).build();
                                    assertMatchesNaive(o + ", bias " + withBias + ", " + reduction
                                            + ", ignored " + ignored, loss, o, s, reduction, DataType.FLOAT64, 1e-6);
                                    checked++;
                                }
                            }
                        }
                    }
                }
            }
        }
        assertThat(checked).isEqualTo(2 * 2 * 2 * 3 * 2 * 2 * 2);
    }

    @Test
    void flatEmbeddingsMatchTheMaterialisedCompositionWithShiftAndSmoothing() {
        NaiveLinearCrossEntropy.Options o = new NaiveLinearCrossEntropy.Options(0, 2, 0.2, 0.05, IGNORE);
        Sample s = sample(new long[] {9, 5}, 10, true, 2, new Random(3));
        for (Reduction r : Reduction.values()) {
            assertMatchesNaive("(N, D) " + r, builderFor(o).optBlockSize(4).optReduction(r).build(), o, s, r,
                    DataType.FLOAT64, 1e-6);
        }
    }

    @Test
    void vocabularyNotDivisibleByTheBlockSizeAndSmallerThanOneBlockGiveTheSameResult() {
        NaiveLinearCrossEntropy.Options o = new NaiveLinearCrossEntropy.Options(3.0, 0, 0.1, 0.01, IGNORE);
        Sample s = sample(new long[] {7, 4}, 17, true, 1, new Random(5));
        for (int block : new int[] {1, 5, 16, 17, 64, 1000}) {
            assertMatchesNaive("block " + block, builderFor(o).optBlockSize(block).build(), o, s, Reduction.MEAN,
                    DataType.FLOAT64, 1e-6);
        }
    }

    @Test
    void fusedBlockMatchesTheMaterialisedComposition() {
        // no softcap and a block covering V (set, or automatic when two N × V arrays fit the budget):
        // the logits are computed once and the gradient comes from their exponentials
        Sample s = sample(new long[] {3, 7, 5}, 11, true, 2, new Random(8));
        for (double zLoss : new double[] {0.01, 0}) {
            NaiveLinearCrossEntropy.Options o = new NaiveLinearCrossEntropy.Options(0, 1, 0.1, zLoss, IGNORE);
            for (Reduction r : Reduction.values()) {
                assertMatchesNaive("fused, block set " + r + " λ=" + zLoss,
                        builderFor(o).optBlockSize(11).optReduction(r).build(), o, s, r, DataType.FLOAT64, 1e-6);
                assertMatchesNaive("fused, automatic " + r + " λ=" + zLoss, builderFor(o).optReduction(r).build(), o,
                        s, r, DataType.FLOAT64, 1e-6);
            }
        }
    }

    @Test
    void singleTokenMatchesTheMaterialisedComposition() {
        NaiveLinearCrossEntropy.Options o = new NaiveLinearCrossEntropy.Options(1.5, 0, 0.1, 0.01, IGNORE);
        Sample s = sample(new long[] {1, 6}, 9, true, 0, new Random(6));
        for (Reduction r : Reduction.values()) {
            assertMatchesNaive("single token " + r, builderFor(o).optBlockSize(4).optReduction(r).build(), o, s, r,
                    DataType.FLOAT64, 1e-6);
        }
    }

    @Test
    void everyTokenIgnoredGivesZeroAndZeroGradients() {
        Sample s = sample(new long[] {2, 3, 4}, 6, true, 0, new Random(7));
        HostTensor t = s.label(0);
        double[] none = new double[t.size()];
        Arrays.fill(none, IGNORE);
        Sample allIgnored = s.withLabel(0, t.withData(none));
        for (Reduction r : Reduction.values()) {
            Evaluation e = Evaluation.of(CutCrossEntropyLoss.builder().optLabelSmoothing(0.1).optZLossScale(0.1)
                    .optReduction(r).build(), allIgnored, DataType.FLOAT64);
            assertThat(e.value()).as("%s: values", r).containsOnly(0.0);
            for (int slot = 0; slot < 3; slot++) {
                assertThat(e.gradient(slot)).as("%s: gradient of predictions[%d]", r, slot).containsOnly(0.0);
            }
        }
    }

    @Test
    void customIgnoreIndexIsHonoured() {
        NaiveLinearCrossEntropy.Options o = new NaiveLinearCrossEntropy.Options(0, 0, 0, 0, 3);
        Sample s = sample(new long[] {8, 3}, 5, false, 0, new Random(8));
        assertMatchesNaive("ignore index 3", builderFor(o).build(), o, s, Reduction.MEAN, DataType.FLOAT64, 1e-6);
    }

    @Test
    void sortedVocabularyWithoutFilteringIsExact() {
        NaiveLinearCrossEntropy.Options o = new NaiveLinearCrossEntropy.Options(2.0, 1, 0.1, 0.01, IGNORE);
        Sample s = sample(new long[] {2, 6, 4}, 23, true, 2, new Random(9));
        assertMatchesNaive("sorted", builderFor(o).optSortVocab(true).optBlockSize(5).optFilterEps("none").build(),
                o, s, Reduction.MEAN, DataType.FLOAT64, 1e-6);
    }

    @Test
    void equalsDjlSoftmaxCrossEntropyOnMaterialisedLogits() {
        Sample s = sample(new long[] {12, 8}, 19, true, 0, new Random(10));
        Evaluation cce = Evaluation.of(CutCrossEntropyLoss.builder().optBlockSize(6).build(), s, DataType.FLOAT64);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList predictions = s.predictionList(manager, DataType.FLOAT64);
            NDList labels = s.labelList(manager, DataType.FLOAT64);
            double value;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = predictions.get(0).matMul(predictions.get(1).transpose()).add(predictions.get(2));
                NDArray loss = new SoftmaxCrossEntropyLoss().evaluate(labels, new NDList(logits));
                value = loss.getDouble();
                collector.backward(loss);
            }
            Close.assertClose("value", cce.value(), new double[] {value}, 1e-9);
            for (int slot = 0; slot < 3; slot++) {
                Close.assertClose("gradient of predictions[" + slot + "]", cce.gradient(slot),
                        predictions.get(slot).getGradient().toDoubleArray(), 1e-9);
            }
        }
    }

    // ---------------------------------------------------------------- filtering

    @Test
    void filteredGradientsStayWithinTheBoundOfTheFilteredMassAndTheValueStaysExact() {
        double eps = 1e-3;
        NaiveLinearCrossEntropy.Options o = NaiveLinearCrossEntropy.Options.defaults();
        Sample s = peaked(sample(new long[] {24, 6}, 41, true, 2, new Random(11)));
        for (boolean sorted : new boolean[] {false, true}) {
            BaseLoss loss = CutCrossEntropyLoss.builder().optFilterEps(eps).optSortVocab(sorted).optBlockSize(8).build();
            Evaluation got = Evaluation.of(loss, s, DataType.FLOAT64);
            NaiveLinearCrossEntropy.Result exact = naive(o, s, Reduction.MEAN);
            Close.assertClose("filtered value", got.value(), new double[] {exact.reduced(Reduction.MEAN)}, 1e-9);
            double[][] bound = filteredMassBound(exact, s, eps);
            double[][] exactGrads = {exact.dE(), exact.dC(), exact.dBias()};
            double largestError = 0;
            for (int slot = 0; slot < 3; slot++) {
                double[] g = got.gradient(slot);
                for (int i = 0; i < g.length; i++) {
                    double err = Math.abs(g[i] - exactGrads[slot][i]);
                    assertThat(err).as("sorted %s, slot %d entry %d: error vs filtered-mass bound", sorted, slot, i)
                            .isLessThanOrEqualTo(bound[slot][i] + 1e-12);
                    largestError = Math.max(largestError, err);
                }
            }
            assertThat(largestError).as("filtering at %s dropped something (the test is not vacuous)", eps)
                    .isGreaterThan(0);
        }
    }

    @Test
    void filterEpsAutoInFloat32StaysWithinTheFilteredMassOfTheExactGradient() {
        double eps = Math.ulp(1.0f) / 32;
        assertThat(CutCrossEntropyLoss.builder().build().filterEps(DataType.FLOAT32)).isEqualTo(eps);
        assertThat(CutCrossEntropyLoss.builder().build().filterEps(DataType.FLOAT64)).isEqualTo(Math.ulp(1.0) / 32);
        Sample s = peaked(sample(new long[] {16, 6}, 37, true, 1, new Random(12)));
        NaiveLinearCrossEntropy.Result exact = naive(NaiveLinearCrossEntropy.Options.defaults(), s, Reduction.MEAN);
        Evaluation auto = Evaluation.of(CutCrossEntropyLoss.builder().optBlockSize(8).build(), s, DataType.FLOAT32);
        double[][] bound = filteredMassBound(exact, s, eps);
        double[][] exactGrads = {exact.dE(), exact.dC(), exact.dBias()};
        for (int slot = 0; slot < 3; slot++) {
            double[] g = auto.gradient(slot);
            double scale = Arrays.stream(exactGrads[slot]).map(Math::abs).max().orElse(0);
            for (int i = 0; i < g.length; i++) {
                // float32 rounding of the engine's arithmetic comes on top of what filtering may drop
                assertThat(Math.abs(g[i] - exactGrads[slot][i]))
                        .as("slot %d entry %d", slot, i)
                        .isLessThanOrEqualTo(bound[slot][i] + 1e-5 * scale);
            }
        }
    }

    /** Embeddings scaled up so most probabilities are tiny and filtering has something to drop. */
    private static Sample peaked(Sample s) {
        HostTensor e = s.prediction(0);
        return s.withPrediction(0, e.withData(Arrays.stream(e.data()).map(x -> 4 * x).toArray()));
    }

    /**
     * What filtering at eps may change: every dropped entry of ∂ℓ/∂logit has |a| &lt; eps, so the error
     * of dE[i, j] is at most Σ_{v: |a_iv| &lt; eps} u_i |a_iv| |c_vj|, and likewise for dC and db.
     */
    private static double[][] filteredMassBound(NaiveLinearCrossEntropy.Result exact, Sample s, double eps) {
        HostTensor e = s.prediction(0);
        HostTensor c = s.prediction(1);
        int d = c.dim(1);
        int v = c.dim(0);
        double[] bE = new double[e.size()];
        double[] bC = new double[c.size()];
        double[] bB = new double[v];
        for (int p = 0; p < exact.values().length; p++) {
            double[] a = exact.rawGradient()[p];
            if (a == null) {
                continue;
            }
            double u = exact.upstream()[p];
            for (int k = 0; k < v; k++) {
                if (Math.abs(a[k]) < eps) {
                    double m = u * Math.abs(a[k]);
                    for (int j = 0; j < d; j++) {
                        bE[p * d + j] += m * Math.abs(c.at(k * d + j));
                        bC[k * d + j] += m * Math.abs(e.at(p * d + j));
                    }
                    bB[k] += m;
                }
            }
        }
        return new double[][] {bE, bC, bB};
    }

    // ---------------------------------------------------------------- passes, kernel choice, options

    @Test
    void withoutRecordingOnlyTheValuePassRunsAndNoGraphIsKept() {
        Sample s = sample(new long[] {5, 4}, 9, true, 1, new Random(13));
        BaseLoss loss = CutCrossEntropyLoss.builder().optBlockSize(4).build();
        double expected = naive(NaiveLinearCrossEntropy.Options.defaults(), s, Reduction.MEAN).reduced(Reduction.MEAN);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList labels = s.labelList(manager, DataType.FLOAT64);
            NDList predictions = s.predictionList(manager, DataType.FLOAT64);
            NDArray inference = loss.evaluate(labels, predictions);
            Close.assertClose("inference value", new double[] {inference.getDouble()}, new double[] {expected}, 1e-9);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                assertThatThrownBy(() -> collector.backward(inference))
                        .as("a value computed outside a GradientCollector has no graph")
                        .hasMessageContaining("does not require grad");
                NDArray training = loss.evaluate(labels, predictions);
                Close.assertClose("training value", new double[] {training.getDouble()}, new double[] {expected}, 1e-12);
                collector.backward(training);
            }
            assertThat(predictions.get(1).getGradient().abs().sum().getDouble()).isGreaterThan(0);
        }
    }

    @Test
    void kernelComputesOnlyTheGradientsAskedFor() {
        Sample s = sample(new long[] {5, 4}, 9, true, 0, new Random(14));
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray e = s.prediction(0).toNDArray(manager, DataType.FLOAT64);
            NDArray c = s.prediction(1).toNDArray(manager, DataType.FLOAT64);
            NDArray b = s.prediction(2).toNDArray(manager, DataType.FLOAT64);
            NDArray t = s.label(0).toNDArray(manager, DataType.FLOAT64);
            NDArray w = manager.ones(t.getShape(), DataType.FLOAT64);
            LinearCrossEntropyKernel kernel = Kernels.linearCrossEntropy(e.getDevice());
            LinearCrossEntropyResult valueOnly = kernel.run(new LinearCrossEntropyProblem(
                    e, c, b, t, w, LinearCrossEntropyOptions.exact(), false, false, false));
            assertThat(valueOnly.gradEmbeddings()).isNull();
            assertThat(valueOnly.gradClassifier()).isNull();
            assertThat(valueOnly.gradBias()).isNull();
            LinearCrossEntropyResult onlyC = kernel.run(new LinearCrossEntropyProblem(
                    e, c, b, t, w, LinearCrossEntropyOptions.exact(), false, true, false));
            assertThat(onlyC.gradEmbeddings()).isNull();
            NaiveLinearCrossEntropy.Result exact = naive(NaiveLinearCrossEntropy.Options.defaults(), s, Reduction.SUM);
            Close.assertClose("dC alone", onlyC.gradClassifier().toDoubleArray(), exact.dC(), 1e-9);
            Close.assertClose("token losses", valueOnly.tokenLoss().toDoubleArray(), exact.values(), 1e-9);
        }
    }

    @Test
    void theCpuChoosesThePortableKernelAndItCanBeForced() {
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThat(Kernels.linearCrossEntropy(manager.getDevice())).isSameAs(BlockedLinearCrossEntropy.INSTANCE);
        }
        boolean before = Kernels.portableForced();
        try {
            Kernels.forcePortable(true);
            assertThat(Kernels.portableForced()).isTrue();
            assertThat(Kernels.linearCrossEntropy(ai.djl.Device.gpu())).isSameAs(BlockedLinearCrossEntropy.INSTANCE);
        } finally {
            Kernels.forcePortable(before);
        }
    }

    @Test
    void aRegisteredKernelServesTheDeviceItSupportsUnlessThePortablePathIsForced() {
        ai.djl.Device fake = ai.djl.Device.of(FakeDeviceKernel.DEVICE_TYPE, 0);
        boolean before = Kernels.portableForced();
        try {
            Kernels.forcePortable(false);
            assertThat(Kernels.linearCrossEntropy(fake)).isInstanceOf(FakeDeviceKernel.class);
            assertThat(Kernels.linearCrossEntropy(ai.djl.Device.cpu())).isSameAs(BlockedLinearCrossEntropy.INSTANCE);
            Kernels.forcePortable(true);
            assertThat(Kernels.linearCrossEntropy(fake)).isSameAs(BlockedLinearCrossEntropy.INSTANCE);
        } finally {
            Kernels.forcePortable(before);
        }
    }

    @Test
    void automaticBlockSizeFollowsTheMemoryBudget() {
        // 4096 tokens, D = 256, float32, 32 MiB: 32 Mi / (4 · (4 · 4096 + 512)) = 496 → 448
        assertThat(BlockedLinearCrossEntropy.autoBlockSize(4096, 256, 65536, 4, 32L << 20)).isEqualTo(448);
        assertThat(BlockedLinearCrossEntropy.autoBlockSize(4096, 256, 100, 4, 32L << 20)).isEqualTo(100);
        assertThat(BlockedLinearCrossEntropy.autoBlockSize(1 << 24, 256, 65536, 8, 1 << 20)).isEqualTo(1);
        long budget = 8L << 20;
        int block = BlockedLinearCrossEntropy.autoBlockSize(1000, 64, 50000, 8, budget);
        assertThat((double) block * 8 * (BlockedLinearCrossEntropy.BLOCK_TEMPORARIES * 1000 + 2 * 64))
                .isLessThanOrEqualTo(budget);
    }

    @Test
    void zLossIsTheMeanSquaredLogSumExpOfTheKeptTokens() {
        Sample s = sample(new long[] {6, 4}, 9, false, 2, new Random(15));
        double lambda = 0.3;
        double plain = Evaluation.of(CutCrossEntropyLoss.builder().build(), s, DataType.FLOAT64).scalar();
        double withZ = Evaluation.of(CutCrossEntropyLoss.builder().optZLossScale(lambda).build(), s,
                DataType.FLOAT64).scalar();
        HostTensor e = s.prediction(0);
        HostTensor c = s.prediction(1);
        double sum = 0;
        int kept = 0;
        for (int i = 0; i < 6; i++) {
            if (s.label(0).at(i) == IGNORE) {
                continue;
            }
            double z = 0;
            for (int k = 0; k < 9; k++) {
                double x = 0;
                for (int j = 0; j < 4; j++) {
                    x += e.at(i * 4 + j) * c.at(k * 4 + j);
                }
                z += Math.exp(x);
            }
            sum += Math.log(z) * Math.log(z);
            kept++;
        }
        assertThat(withZ - plain).isCloseTo(lambda * sum / kept, org.assertj.core.data.Offset.offset(1e-10));
    }

    @Test
    void labelSmoothingOneIsTheMeanNegativeLogProbabilityOverAllClasses() {
        Sample s = sample(new long[] {3, 2}, 4, false, 0, new Random(16));
        double got = Evaluation.of(CutCrossEntropyLoss.builder().optLabelSmoothing(1).build(), s,
                DataType.FLOAT64).scalar();
        HostTensor e = s.prediction(0);
        HostTensor c = s.prediction(1);
        double total = 0;
        for (int i = 0; i < 3; i++) {
            double[] z = new double[4];
            double sumExp = 0;
            for (int k = 0; k < 4; k++) {
                z[k] = e.at(i * 2) * c.at(k * 2) + e.at(i * 2 + 1) * c.at(k * 2 + 1);
                sumExp += Math.exp(z[k]);
            }
            for (int k = 0; k < 4; k++) {
                total += (Math.log(sumExp) - z[k]) / 4;
            }
        }
        assertThat(got).isCloseTo(total / 3, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void reductionNoneHasTheShiftedSequenceShape() {
        Sample s = sample(new long[] {2, 5, 3}, 7, false, 0, new Random(17));
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray out = CutCrossEntropyLoss.builder().optShift(2).optReduction(Reduction.NONE).build()
                    .evaluate(s.labelList(manager, DataType.FLOAT32), s.predictionList(manager, DataType.FLOAT32));
            assertThat(out.getShape()).isEqualTo(new ai.djl.ndarray.types.Shape(2, 3));
        }
    }

    @Test
    void shiftThatLeavesNoPredictionIsRejectedWithClearMessage() {
        Sample s = sample(new long[] {2, 2, 3}, 5, false, 0, new Random(18));
        try (NDManager manager = NDManager.newBaseManager()) {
            BaseLoss loss = CutCrossEntropyLoss.builder().optShift(2).build();
            assertThatThrownBy(() -> loss.evaluate(s.labelList(manager, DataType.FLOAT32),
                    s.predictionList(manager, DataType.FLOAT32)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cce")
                    .hasMessageContaining("shift 2");
        }
    }

    @Test
    void badOptionsAreRejectedNamingTheLoss() {
        List<Runnable> bad = List.of(
                () -> CutCrossEntropyLoss.builder().optSoftcap(-1).build(),
                () -> CutCrossEntropyLoss.builder().optShift(-1).build(),
                () -> CutCrossEntropyLoss.builder().optFilterEps(-1e-3).build(),
                () -> CutCrossEntropyLoss.builder().optFilterEps("sometimes").build(),
                () -> CutCrossEntropyLoss.builder().optBlockSize(-4).build(),
                () -> CutCrossEntropyLoss.builder().optBlockSize("2.5").build(),
                () -> CutCrossEntropyLoss.builder().optZLossScale(-1).build(),
                () -> CutCrossEntropyLoss.builder().optLabelSmoothing(1.5).build(),
                () -> CutCrossEntropyLoss.builder().optBlockMemoryBudget(0).build());
        for (Runnable r : bad) {
            assertThatThrownBy(r::run).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cce");
        }
    }

    // ---------------------------------------------------------------- helpers

    private static CutCrossEntropyLoss.Builder builderFor(NaiveLinearCrossEntropy.Options o) {
        return CutCrossEntropyLoss.builder().optSoftcap(o.softcap()).optShift(o.shift())
                .optLabelSmoothing(o.labelSmoothing()).optZLossScale(o.zLossScale()).optIgnoreIndex(o.ignoreIndex());
    }

    private static void assertMatchesNaive(String what, BaseLoss loss, NaiveLinearCrossEntropy.Options o, Sample s,
            Reduction reduction, DataType type, double rel) {
        NaiveLinearCrossEntropy.Result exact = naive(o, s, reduction);
        Evaluation got = Evaluation.of(loss, s, type);
        double[] expectedValue = reduction == Reduction.NONE ? exact.values() : new double[] {exact.reduced(reduction)};
        Close.assertClose(what + ": value", got.value(), expectedValue, rel);
        Close.assertClose(what + ": dE", got.gradient(0), exact.dE(), rel);
        Close.assertClose(what + ": dC", got.gradient(1), exact.dC(), rel);
        if (s.predictions().size() > 2) {
            Close.assertClose(what + ": dbias", got.gradient(2), exact.dBias(), rel);
        }
    }
}

package io.github.lossforge.segmentation.pansharpening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.Losses;
import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.testkit.Close;
import io.github.lossforge.core.testkit.Evaluation;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.LossContract;
import io.github.lossforge.core.testkit.Sample;
import io.github.lossforge.core.testkit.TrainingTask;
import io.github.lossforge.segmentation.LearningCheck;
import io.github.lossforge.segmentation.ReferenceCheck;
import io.github.lossforge.segmentation.pansharpening.LambdaPnnLoss.Mtf;
import io.github.lossforge.segmentation.pansharpening.LambdaPnnLoss.Sensor;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The λ-PNN loss against its float64 reference. The contract's variant (the default toolbox kernels,
 * one MTF gain for every band) runs on 24×24 images at ratio 4, the smallest the loss accepts, so
 * finite differences stay fast: shape 0 is one 1-band image, shape 1 (the finite-difference check's)
 * one 2-band image, shape 2 a batch of two 2-band 28×24 images. The sensor presets have 8 or 4 bands
 * and are checked at a realistic size in their own tests; the Gaussian kernels with per-band gains
 * and other weights are checked against the reference in theirs. The samples are drawn away from the
 * threshold maps of both configurations and built once per shape, shared by every test.
 */
class LambdaPnnLossTest extends LossContract {

    private static final double[] ONE_GAIN = {0.3};
    private static final double[] TWO_GAINS = {0.3, 0.25};
    private static final LambdaPnnReference TOOLBOX_REFERENCE = new LambdaPnnReference(ONE_GAIN, 4, 0.05, 1.25, 3.75,
            false);
    private static final LambdaPnnReference GAUSSIAN_REFERENCE = new LambdaPnnReference(TWO_GAINS, 4, 1, 2, 0.5, false,
            Mtf.GAUSSIAN);
    private static final Map<Integer, Sample> SAMPLES = new HashMap<>();

    @Override
    protected List<Variant> variants() {
        return List.of(new Variant("toolbox MTF (default) with one gain 0.3, WV3 weights, differentiable D_λ",
                r -> LambdaPnnLoss.builder().optDifferentiableQ(true).optNyquistGains(ONE_GAIN).optReduction(r).build(),
                TOOLBOX_REFERENCE));
    }

    private static LambdaPnnLoss gaussianLoss(Reduction reduction) {
        return LambdaPnnLoss.builder().optMtf(Mtf.GAUSSIAN).optDifferentiableQ(true).optAlpha(1)
                .optBeta(2).optGamma(0.5).optNyquistGains(TWO_GAINS).optReduction(reduction).build();
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        return SAMPLES.computeIfAbsent(shape, k -> {
            Random fixed = new Random(70 + k);
            List<LambdaPnnReference> references = List.of(TOOLBOX_REFERENCE, GAUSSIAN_REFERENCE);
            switch (k) {
                case 0:
                    return PansharpeningSamples.awayFromThreshold(fixed, references.subList(0, 1), 1, 1, 24, 24, 4);
                case 1:
                    return PansharpeningSamples.awayFromThreshold(fixed, references, 1, 2, 24, 24, 4);
                default:
                    return PansharpeningSamples.awayFromThreshold(fixed, references, 2, 2, 28, 24, 4);
            }
        });
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of("nyquistGain", 0.3), () -> LambdaPnnLoss.builder().optNyquistGains(0.3).build()),
                new RegistryCase(Map.of("sensor", "GE1", "nyquistGain", 0.25, "gamma", 7, "ratio", 4L,
                        "differentiableQ", false, "mtf", "gaussian", "reduction", "none"),
                        () -> LambdaPnnLoss.builder().optSensor(Sensor.GE1).optNyquistGains(0.25).optGamma(7)
                                .optDifferentiableQ(false).optMtf(Mtf.GAUSSIAN)
                                .optReduction(Reduction.NONE).build()),
                new RegistryCase(Map.of("nyquistGain", 0.3, "mtf", "toolbox", "differentiableQ", true),
                        () -> LambdaPnnLoss.builder().optNyquistGains(0.3).optMtf(Mtf.TOOLBOX)
                                .optDifferentiableQ(true).build()),
                new RegistryCase(Map.of("sensor", "wv2", "alpha", 0.5, "beta", "sensor", "nyquistGain", 0.4),
                        () -> LambdaPnnLoss.builder().optSensor(Sensor.WV2).optAlpha(0.5).optNyquistGains(0.4).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        Sample s = PansharpeningSamples.random(rng, 2, 2, 24, 24, 4);
        HostTensor fused = s.prediction(0);
        HostTensor pan = s.label(0);
        HostTensor ms = s.label(1);
        HostTensor msUp = s.label(2);
        double[] zeroBand = ms.data();
        Arrays.fill(zeroBand, 36, 72, 0.0);
        double[] nan = ms.data();
        nan[5] = Double.NaN;
        Sample small = PansharpeningSamples.random(rng, 1, 2, 16, 16, 4);
        Sample notMultiple = PansharpeningSamples.random(rng, 1, 2, 26, 24, 2);
        return List.of(
                new BadInput("rank-3 fused", new Sample(s.labels(), List.of(fused.reshape(2, 2, 576))),
                        "predictions[0] (fused)", "(N, B, H, W)"),
                new BadInput("PAN with two channels",
                        new Sample(List.of(msUp, ms, msUp), List.of(fused)), "labels[0] (PAN)", "(2, 1, 24, 24)"),
                new BadInput("MS at the PAN resolution",
                        new Sample(List.of(pan, msUp, msUp), List.of(fused)), "labels[1] (MS)", "(2, 2, 6, 6)",
                        "ratio 4"),
                new BadInput("MS_up of another size",
                        new Sample(List.of(pan, ms, fused.firstRows(1)), List.of(fused)), "labels[2] (MS upsampled)",
                        "(1, 2, 24, 24)"),
                new BadInput("a batch mismatch",
                        new Sample(List.of(pan.firstRows(1), ms, msUp), List.of(fused)), "labels[0] (PAN)"),
                new BadInput("images smaller than the MTF kernel", small, "predictions[0] (fused)", "(1, 2, 16, 16)",
                        "16×16", "≥ 21", "41-tap MTF kernel"),
                new BadInput("a side that is not a multiple of the ratio",
                        notMultiple, "predictions[0] (fused)", "(1, 2, 26, 24)", "multiples of the ratio 4"),
                new BadInput("an MS band of mean 0", new Sample(List.of(pan, ms.withData(zeroBand), msUp), List.of(fused)),
                        "labels[1] (MS)", "sample 0, band 1", "mean 0"),
                new BadInput("NaN in MS", new Sample(List.of(pan, ms.withData(nan), msUp), List.of(fused)),
                        "labels[1] (MS)", "NaN"),
                new BadInput("missing MS_up", new Sample(List.of(pan, ms), List.of(fused)), "labels"));
    }

    @Override
    protected TrainingTask trainingTask() {
        return PansharpeningSamples.task();
    }

    /**
     * Entries of the official kernels: gain, ratio, row, column, value, read off the output of the
     * official {@code tools/spectral_tools.nyquist_filter_generator} (matciotola/Lambda-PNN, the
     * function {@code gen_mtf} calls) run with numpy 2.4.6 for WV3 band 0 (0.325), WV2 band 7 (0.27)
     * and GE1 (0.23) at ratio 4, and gain 0.3 at ratios 2 and 3. The kernel is [row][column] as the
     * official conv2d weight; (20, 21) and (21, 20) differ because the Kaiser window multiplies the
     * columns only; the zeros are clipped negative entries.
     */
    private static final double[][] OFFICIAL_ENTRIES = {
        {0.325, 4, 20, 20, 0.041594397176307196}, {0.325, 4, 20, 21, 0.03649652487441109},
        {0.325, 4, 21, 20, 0.03650205699469925}, {0.325, 4, 18, 23, 0.007605272548313269},
        {0.325, 4, 25, 14, 1.435141606607618e-05}, {0.325, 4, 10, 30, 1.8568770822765387e-13},
        {0.325, 4, 33, 5, 0.0},
        {0.27, 4, 20, 20, 0.035707995660757365}, {0.27, 4, 20, 21, 0.03191636476445561},
        {0.27, 4, 21, 20, 0.03192120262695475}, {0.27, 4, 18, 23, 0.008303322430236681},
        {0.27, 4, 25, 14, 3.806560636861658e-05}, {0.27, 4, 10, 30, 6.4403863712835e-12},
        {0.23, 4, 20, 20, 0.03181486159693644}, {0.23, 4, 20, 21, 0.028786554419737154},
        {0.23, 4, 21, 20, 0.02879091786755252}, {0.23, 4, 18, 23, 0.008672984626619829},
        {0.23, 4, 25, 14, 7.151729180314663e-05}, {0.23, 4, 10, 30, 6.623958814866724e-11},
        {0.3, 2, 20, 20, 0.1545245697294805}, {0.3, 2, 20, 21, 0.09522127762302657},
        {0.3, 2, 21, 20, 0.09523571120440495}, {0.3, 2, 18, 23, 0.0002899154415553729},
        {0.3, 2, 25, 14, 0.0}, {0.3, 2, 10, 30, 2.729282631773329e-09}, {0.3, 2, 33, 5, 4.834689989898699e-10},
        {0.3, 3, 20, 20, 0.06901327149351727}, {0.3, 3, 20, 21, 0.05555726094202771},
        {0.3, 3, 21, 20, 0.0555656822767019}, {0.3, 3, 18, 23, 0.004117988836888497},
        {0.3, 3, 25, 14, 1.24103403310609e-07}, {0.3, 3, 10, 30, 2.0984764498942532e-14},
    };

    @Test
    void toolboxKernelsAreTheOfficialGenMtfOutput() {
        // issue 17 asks for 1e-12; the entries agree to about 1e-16 (the FFT's rounding), so 1e-14
        for (double[] e : OFFICIAL_ENTRIES) {
            double[][] k = MtfKernels.toolbox(new double[] {e[0]}, (int) e[1]).kernel(0);
            assertThat(k[(int) e[2]][(int) e[3]]).as("gain %s, ratio %d, entry (%d, %d)", e[0], (int) e[1],
                    (int) e[2], (int) e[3]).isCloseTo(e[4], org.assertj.core.data.Offset.offset(1e-14));
        }
    }

    @Test
    void toolboxKernelsMatchAStepByStepRebuildOfGenMtfEverywhere() {
        List<double[]> gainSets = List.of(Sensor.WV3.gains(), Sensor.WV2.gains(), Sensor.GE1.gains());
        for (int ratio : new int[] {2, 3, 4}) {
            for (double[] gains : ratio == 4 ? gainSets : List.of(new double[] {0.3})) {
                MtfKernels mtf = MtfKernels.toolbox(gains, ratio);
                for (int b = 0; b < gains.length; b++) {
                    double[][] got = mtf.kernel(b);
                    double[][] expected = GenMtfReference.kernel(gains[b], ratio);
                    double sum = 0;
                    for (int i = 0; i < 41; i++) {
                        for (int j = 0; j < 41; j++) {
                            assertThat(got[i][j]).as("gain %s ratio %d entry (%d, %d)", gains[b], ratio, i, j)
                                    .isCloseTo(expected[i][j], org.assertj.core.data.Offset.offset(1e-15));
                            sum += got[i][j];
                        }
                    }
                    assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-14));
                }
            }
        }
    }

    @Test
    void toolboxKernelsFilterThroughSeparableTermsThatRebuildThem() {
        for (int ratio : new int[] {2, 3, 4}) {
            for (double gain : new double[] {0.23, 0.27, 0.3, 0.365}) {
                double[][] k = MtfKernels.toolbox(new double[] {gain}, ratio).kernel(0);
                double[][][] terms = MtfKernels.separableTerms(k);
                assertThat(terms.length).as("rank at gain %s ratio %d", gain, ratio).isBetween(1, 4);
                for (int i = 0; i < 41; i++) {
                    for (int j = 0; j < 41; j++) {
                        double rebuilt = 0;
                        for (double[][] t : terms) {
                            rebuilt += t[0][i] * t[1][j];
                        }
                        assertThat(rebuilt).as("gain %s ratio %d entry (%d, %d)", gain, ratio, i, j)
                                .isCloseTo(k[i][j], org.assertj.core.data.Offset.offset(1e-15));
                    }
                }
            }
        }
    }

    @Test
    void toolboxKernelsRespondWithAbout94PercentOfTheGainAtNyquist() {
        // the official grid's artefact the javadoc documents: 0.93–0.95·G along the rows and the columns
        for (Sensor sensor : Sensor.values()) {
            double[] gains = sensor.gains();
            MtfKernels mtf = MtfKernels.toolbox(gains, 4);
            for (int b = 0; b < gains.length; b++) {
                double[][] k = mtf.kernel(b);
                double alongRows = 0;
                double alongColumns = 0;
                for (int i = 0; i < 41; i++) {
                    for (int j = 0; j < 41; j++) {
                        alongRows += k[i][j] * Math.cos(Math.PI / 4 * (i - 20));
                        alongColumns += k[i][j] * Math.cos(Math.PI / 4 * (j - 20));
                    }
                }
                assertThat(alongRows / gains[b]).as("%s band %d, along the rows", sensor, b).isBetween(0.92, 0.96);
                assertThat(alongColumns / gains[b]).as("%s band %d, along the columns", sensor, b)
                        .isBetween(0.92, 0.96);
            }
        }
    }

    @Test
    void defaultMtfIsTheToolbox() {
        assertThat(Losses.info(LambdaPnnLoss.ID).parameters().stream()
                .filter(p -> p.name().equals("mtf")).findFirst().orElseThrow().defaultValue())
                .isEqualTo(Mtf.TOOLBOX.key());
        Sample s = sample(0, null);
        double[] byDefault = Evaluation.valueOf(LambdaPnnLoss.builder().optNyquistGains(0.3).build(), s,
                DataType.FLOAT64);
        assertThat(byDefault).containsExactly(Evaluation.valueOf(
                LambdaPnnLoss.builder().optNyquistGains(0.3).optMtf(Mtf.TOOLBOX).build(), s,
                DataType.FLOAT64));
        assertThat(Math.abs(byDefault[0] - Evaluation.valueOf(LambdaPnnLoss.builder().optNyquistGains(0.3)
                .optMtf(Mtf.GAUSSIAN).build(), s, DataType.FLOAT64)[0]))
                .as("the Gaussian kernels give another value").isGreaterThan(1e-6);
    }

    @Test
    void gaussianKernelsWithPerBandGainsMatchTheReference() {
        // the contract's checks for a second configuration on the 2-band shapes: per-sample values, the
        // full gradient of shape 1, the gradient with a GC between forward and backward, finite values
        // and gradients at ±1e4 (its autograd path is otherwise the default's)
        for (int shape : new int[] {1, 2}) {
            Sample s = sample(shape, null);
            Close.assertClose("Gaussian MTF, shape " + shape + ": per-sample values",
                    Evaluation.of(gaussianLoss(Reduction.NONE), s, DataType.FLOAT64).value(),
                    GAUSSIAN_REFERENCE.perSample(s), REL);
        }
        ReferenceCheck.assertMatches("Gaussian MTF, shape 1", gaussianLoss(Reduction.MEAN), sample(1, null),
                GAUSSIAN_REFERENCE::mean);
        Sample s = sample(1, null);
        assertThat(Evaluation.of(gaussianLoss(Reduction.MEAN), s, DataType.FLOAT64, true).gradient(0))
                .as("gradient with a GC between forward and backward")
                .containsExactly(Evaluation.of(gaussianLoss(Reduction.MEAN), s, DataType.FLOAT64).gradient(0));
        Evaluation extreme = Evaluation.of(gaussianLoss(Reduction.MEAN), extremeSample(new Random(3)),
                DataType.FLOAT32);
        Close.assertFinite("Gaussian MTF at ±1e4: value", extreme.value());
        Close.assertFinite("Gaussian MTF at ±1e4: gradient", extreme.gradient(0));
    }

    @Test
    void gaussianKernelsRespondWithExactlyTheGainAtNyquist() {
        // exact for the continuous Gaussian; sampling aliases exp(−2π²σ²(1 − f)²) into it: below 1e-20
        // at ratio 4 (σ ≈ 2), below 2e-4 at ratio 2 (σ ≈ 1)
        for (Sensor sensor : Sensor.values()) {
            for (int ratio : new int[] {2, 4}) {
                double tolerance = ratio == 4 ? 1e-12 : 2e-4;
                double[] gains = sensor.gains();
                MtfKernels mtf = MtfKernels.gaussian(gains, ratio);
                for (int b = 0; b < gains.length; b++) {
                    double[][] k = mtf.kernel(b);
                    double response = 0;
                    double sum = 0;
                    for (int i = 0; i < k.length; i++) {
                        for (int j = 0; j < k.length; j++) {
                            response += k[i][j] * Math.cos(Math.PI / ratio * (i - 20));
                            sum += k[i][j];
                        }
                    }
                    assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
                    assertThat(response).as("%s band %d ratio %d", sensor, b, ratio)
                            .isCloseTo(gains[b], org.assertj.core.data.Offset.offset(tolerance));
                }
            }
        }
    }

    @Test
    void realisticWv3ImageMatchesTheReferenceAtSelectedGradientEntries() {
        Sample s = PansharpeningSamples.random(new Random(81), 1, 8, 256, 256, 4);
        LambdaPnnReference reference = new LambdaPnnReference(Sensor.WV3.gains(), 4, 0.05, 1.25, 3.75, false);
        Random pick = new Random(91);
        int[] candidates = new int[40];
        for (int k = 0; k < candidates.length; k++) {
            candidates[k] = pick.nextInt(8 * 256 * 256);
        }
        candidates[0] = 0;
        candidates[1] = 8 * 256 * 256 - 1;
        int[] away = reference.entriesAwayFromThreshold(s, candidates, PansharpeningSamples.MIN_THRESHOLD_GAP);
        assertThat(away).as("entries away from the threshold").hasSizeGreaterThanOrEqualTo(4);
        int[] entries = Arrays.copyOf(away, Math.min(6, away.length));
        ReferenceCheck.assertMatchesAt("WV3 defaults, 8 bands 256×256", LambdaPnnLoss.builder().optDifferentiableQ(true).build(), s,
                reference::mean, 1e-4, entries);
    }

    @Test
    void ratioTwoMatchesTheReferenceWhereTheOfficialBlocksWouldCrash() {
        // MS of 12×12 pads to 16×16, where the official 32-pixel Q2n blocks need a reflect padding of 16;
        // the 2×2 correlation windows of ratio 2 put x near θ somewhere, so the gradient is compared at
        // entries whose reach stays away from it
        LambdaPnnReference reference = new LambdaPnnReference(new double[] {0.28, 0.33}, 2, 0.05, 1.25, 3.75, false);
        Sample s = PansharpeningSamples.random(new Random(82), 1, 2, 24, 24, 2);
        int[] candidates = new int[48];
        for (int k = 0; k < candidates.length; k++) {
            candidates[k] = 24 * k;
        }
        int[] away = reference.entriesAwayFromThreshold(s, candidates, PansharpeningSamples.MIN_THRESHOLD_GAP);
        assertThat(away).as("entries away from the threshold").hasSizeGreaterThanOrEqualTo(4);
        ReferenceCheck.assertMatchesAt("ratio 2", LambdaPnnLoss.builder().optDifferentiableQ(true).optRatio(2).optNyquistGains(0.28, 0.33).build(),
                s, reference::mean, 1e-6, Arrays.copyOf(away, Math.min(12, away.length)));
    }

    @Test
    void roundedDLambdaAddsItsValueButNoGradient() {
        Sample s = sample(1, null);
        LambdaPnnReference rounded = new LambdaPnnReference(ONE_GAIN, 4, 0.05, 1.25, 3.75, true);
        LambdaPnnLoss official = LambdaPnnLoss.builder().optNyquistGains(0.3).optDifferentiableQ(false).build();
        Evaluation e = Evaluation.of(official, s, DataType.FLOAT64);
        Close.assertClose("value with the official rounding", new double[] {e.scalar()},
                new double[] {rounded.mean(s)}, 1e-9);
        Evaluation withoutDLambda = Evaluation.of(LambdaPnnLoss.builder().optDifferentiableQ(true).optNyquistGains(0.3).optBeta(0).build(), s,
                DataType.FLOAT64);
        Close.assertClose("gradient with the rounded D_λ vs without D_λ", e.gradient(0), withoutDLambda.gradient(0),
                1e-12);
        Evaluation differentiable = Evaluation.of(LambdaPnnLoss.builder().optDifferentiableQ(true).optNyquistGains(0.3).build(), s,
                DataType.FLOAT64);
        assertThat(maxAbsDifference(differentiable.gradient(0), withoutDLambda.gradient(0)))
                .as("the differentiable D_λ moves the gradient").isGreaterThan(1e-6);
    }

    @Test
    void q2nOfAnImageWithItselfIsOne() {
        Sample s = PansharpeningSamples.random(new Random(84), 2, 3, 40, 40, 4);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray ms = s.label(1).toNDArray(manager, DataType.FLOAT64);
            for (boolean round : new boolean[] {false, true}) {
                double[] q = PansharpeningMath.q2n(ms, ms, round).toDoubleArray();
                Close.assertClose("Q2n(x, x), round " + round, q, new double[] {1, 1}, 1e-12);
            }
        }
    }

    @Test
    void q2nFollowsTheOfficialBranchesOnDegenerateBlocks() {
        // a reference block whose first band has mean 0 (im2 is then shifted, not scaled) and a pair of
        // identical constant images (zero variances: q = (0, …, 0, mean bias))
        Random rng = new Random(89);
        double[] ms = new double[2 * 8 * 8];
        double[] out = new double[2 * 8 * 8];
        for (int k = 0; k < ms.length; k++) {
            ms[k] = k < 64 ? 0 : 0.2 + 0.5 * rng.nextDouble();
            out[k] = 0.2 + 0.5 * rng.nextDouble();
        }
        double[] constant = new double[3 * 8 * 8];
        Arrays.fill(constant, 0.5); // exact in binary: the block mean is exact and the deviations exactly 0
        LambdaPnnReference reference = new LambdaPnnReference(ONE_GAIN, 4, 1, 1, 1, false);
        try (NDManager manager = NDManager.newBaseManager()) {
            double[][] pairs = {out, ms, constant, constant};
            for (int k = 0; k < pairs.length; k += 2) {
                int bands = pairs[k].length / 64;
                HostTensor o = HostTensor.floats(pairs[k], 1, bands, 8, 8);
                HostTensor m = HostTensor.floats(pairs[k + 1], 1, bands, 8, 8);
                double got = PansharpeningMath.q2n(o.toNDArray(manager, DataType.FLOAT64),
                        m.toNDArray(manager, DataType.FLOAT64), false).toDoubleArray()[0];
                double expected = reference.q2n(LambdaPnnReference.image(o)[0], LambdaPnnReference.image(m)[0]);
                Close.assertClose("Q2n, case " + k / 2, new double[] {got}, new double[] {expected}, 1e-9);
            }
        }
    }

    @Test
    void fusedBandsEqualToPanHaveNoStructuralLoss() {
        Sample s = sample(1, null);
        HostTensor pan = s.label(0);
        double[] twice = new double[2 * pan.size()];
        System.arraycopy(pan.data(), 0, twice, 0, pan.size());
        System.arraycopy(pan.data(), 0, twice, pan.size(), pan.size());
        Sample same = s.withPrediction(0, HostTensor.floats(twice, 1, 2, 24, 24));
        LambdaPnnLoss structuralOnly = LambdaPnnLoss.builder().optDifferentiableQ(true).optNyquistGains(0.3).optAlpha(0).optBeta(0).optGamma(1)
                .build();
        Evaluation e = Evaluation.of(structuralOnly, same, DataType.FLOAT64);
        assertThat(Math.abs(e.scalar())).isLessThan(1e-12);
        assertThat(Arrays.stream(e.gradient(0)).map(Math::abs).max().orElseThrow()).isLessThan(1e-9);
    }

    @Test
    void defaultDLambdaIsTheOfficialRoundedOne() {
        assertThat(Losses.info(LambdaPnnLoss.ID).parameters().stream()
                .filter(p -> p.name().equals("differentiableQ")).findFirst().orElseThrow().defaultValue())
                .isEqualTo(false);
        Sample s = sample(1, null);
        assertThat(Evaluation.valueOf(LambdaPnnLoss.builder().optNyquistGains(0.3).build(), s, DataType.FLOAT64))
                .containsExactly(Evaluation.valueOf(
                        LambdaPnnLoss.builder().optNyquistGains(0.3).optDifferentiableQ(false).build(), s, DataType.FLOAT64));
    }

    @Test
    void sensorPresetsAreTheOfficialTrainingWeights() {
        Sample s = PansharpeningSamples.random(new Random(86), 1, 4, 24, 24, 4);
        double preset = Evaluation.valueOf(LambdaPnnLoss.builder().optDifferentiableQ(true).optSensor(Sensor.GE1).build(), s, DataType.FLOAT64)[0];
        LambdaPnnReference reference = new LambdaPnnReference(new double[] {0.23}, 4, 0.075, 1.5, 4.0, false);
        Close.assertClose("GE1 preset", new double[] {preset}, new double[] {reference.mean(s)}, 1e-9);
        assertThat(new double[] {Sensor.WV3.alpha(), Sensor.WV3.beta(), Sensor.WV3.gamma(), Sensor.WV2.alpha(),
            Sensor.WV2.beta(), Sensor.WV2.gamma()}).containsExactly(0.05, 1.25, 3.75, 0.05, 1.0, 4.25);
    }

    @Test
    void rejectsABandCountThatDoesNotMatchTheSensor() {
        assertRejectedBy(LambdaPnnLoss.builder().optDifferentiableQ(true).build(), sample(1, null), "predictions[0] (fused)",
                "2 bands", "expected 8 bands");
    }

    @Test
    void rejectsInvalidOptions() {
        assertThatThrownBy(() -> LambdaPnnLoss.builder().optDifferentiableQ(true).optRatio(1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pansharpening")
                .hasMessageContaining("ratio");
        assertThatThrownBy(() -> LambdaPnnLoss.builder().optDifferentiableQ(true).optNyquistGains(1.0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(0, 1)");
        assertThatThrownBy(() -> LambdaPnnLoss.builder().optDifferentiableQ(true).optGamma(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gamma");
        assertThatThrownBy(() -> LambdaPnnLoss.builder().optDifferentiableQ(true).optSensor((LambdaPnnLoss.Sensor) null).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sensor");
        assertThatThrownBy(() -> LambdaPnnLoss.builder().optMtf("sinc").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pansharpening")
                .hasMessageContaining("mtf").hasMessageContaining("toolbox").hasMessageContaining("gaussian")
                .hasMessageContaining("'sinc'");
        assertThatThrownBy(() -> LambdaPnnLoss.builder().optMtf((Mtf) null).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mtf");
    }

    @Test
    void noneReductionGivesOneValuePerImage() {
        Sample s = sample(2, null);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray out = LambdaPnnLoss.builder().optDifferentiableQ(true).optNyquistGains(0.3).optReduction(Reduction.NONE).build()
                    .evaluate(s.labelList(manager, DataType.FLOAT32), s.predictionList(manager, DataType.FLOAT32));
            assertThat(out.getShape()).isEqualTo(new Shape(2));
            assertThat(out.getDataType()).isEqualTo(DataType.FLOAT32);
        }
    }

    @Test
    void aSmallConvNetLearnsTheMultispectralTarget() {
        LearningCheck.assertLearns(LambdaPnnLoss.builder().optDifferentiableQ(true).optNyquistGains(0.3).build(), PansharpeningSamples.task(),
                120, 0.7);
    }

    private static double maxAbsDifference(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    private static void assertRejectedBy(LambdaPnnLoss loss, Sample s, String... fragments) {
        try (NDManager manager = NDManager.newBaseManager()) {
            var thrown = assertThatThrownBy(() -> loss.evaluate(s.labelList(manager, DataType.FLOAT64),
                    s.predictionList(manager, DataType.FLOAT64)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pansharpening");
            for (String f : fragments) {
                thrown.hasMessageContaining(f);
            }
        }
    }

    @Test
    void flatMultispectralReferenceGivesFiniteFloat32GradientsAgreeingWithFloat64() {
        Sample s = PansharpeningSamples.awayFromThreshold(new Random(1), List.of(TOOLBOX_REFERENCE), 1, 2, 24, 24, 4);
        HostTensor ms = s.label(1);
        double first = ms.at(0);
        Sample flat = s.withLabel(1, ms.withData(Arrays.stream(ms.data()).map(v -> first).toArray()));
        LambdaPnnLoss loss = LambdaPnnLoss.builder().optDifferentiableQ(true).optNyquistGains(0.3).build();
        Evaluation single = Evaluation.of(loss, flat, DataType.FLOAT32);
        Evaluation twice = Evaluation.of(loss, flat, DataType.FLOAT64);
        Close.assertFinite("float32 gradient with a flat MS reference", single.gradient(0));
        Close.assertClose("float32 vs float64 value", single.value(), twice.value(), 1e-5);
        Close.assertClose("float64 vs the float64 reference", new double[] {twice.scalar()},
                new double[] {TOOLBOX_REFERENCE.mean(flat)}, 1e-9);
    }
}

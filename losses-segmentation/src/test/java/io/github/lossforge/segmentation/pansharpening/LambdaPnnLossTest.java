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
import io.github.lossforge.segmentation.pansharpening.LambdaPnnLoss.Sensor;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The λ-PNN loss against its float64 reference. The contract's variants use 2-band 24×24 images at
 * ratio 4 (so finite differences stay fast) and therefore a custom MTF gain (the sensor presets have 8
 * or 4 bands); the presets are checked at a realistic size in their own tests. Every variant's first
 * band has gain 0.3, so they share one threshold map and the samples are drawn away from it.
 */
class LambdaPnnLossTest extends LossContract {

    private static final double[] ONE_GAIN = {0.3};
    private static final LambdaPnnReference DEFAULT_REFERENCE = new LambdaPnnReference(ONE_GAIN, 4, 0.05, 1.25, 3.75,
            false);

    @Override
    protected List<Variant> variants() {
        return List.of(
                new Variant("defaults (WV3 weights, differentiable D_λ) with one MTF gain 0.3",
                        r -> LambdaPnnLoss.builder().optDifferentiableQ(true).optNyquistGains(0.3).optReduction(r).build(), DEFAULT_REFERENCE),
                new Variant("alpha 1, beta 2, gamma 0.5, per-band gains 0.3 and 0.25",
                        r -> LambdaPnnLoss.builder().optDifferentiableQ(true).optAlpha(1).optBeta(2).optGamma(0.5).optNyquistGains(0.3, 0.25)
                                .optReduction(r).build(),
                        new LambdaPnnReference(new double[] {0.3, 0.25}, 4, 1, 2, 0.5, false)));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        switch (shape) {
            case 0:
                return PansharpeningSamples.awayFromThreshold(rng, DEFAULT_REFERENCE, 1, 2, 24, 24, 4);
            case 1:
                return PansharpeningSamples.awayFromThreshold(rng, DEFAULT_REFERENCE, 2, 2, 24, 24, 4);
            default:
                return PansharpeningSamples.awayFromThreshold(rng, DEFAULT_REFERENCE, 2, 2, 28, 24, 4);
        }
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of("nyquistGain", 0.3), () -> LambdaPnnLoss.builder().optNyquistGains(0.3).build()),
                new RegistryCase(Map.of("sensor", "GE1", "nyquistGain", 0.25, "gamma", 7, "ratio", 4L,
                        "differentiableQ", false, "reduction", "none"),
                        () -> LambdaPnnLoss.builder().optSensor(Sensor.GE1).optNyquistGains(0.25).optGamma(7)
                                .optDifferentiableQ(false).optReduction(Reduction.NONE).build()),
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

    @Test
    void theMtfKernelsResponseAtNyquistIsTheSensorGain() {
        // exact for the continuous Gaussian; sampling aliases exp(−2π²σ²(1 − f)²) into it: below 1e-20
        // at ratio 4 (σ ≈ 2), below 2e-4 at ratio 2 (σ ≈ 1)
        for (Sensor sensor : Sensor.values()) {
            for (int ratio : new int[] {2, 4}) {
                double tolerance = ratio == 4 ? 1e-12 : 2e-4;
                double[] gains = sensor.gains();
                double[][] taps = PansharpeningMath.mtfTaps(gains, ratio);
                for (int b = 0; b < gains.length; b++) {
                    double response = 0;
                    double sum = 0;
                    for (int k = 0; k < taps[b].length; k++) {
                        response += taps[b][k] * Math.cos(Math.PI / ratio * (k - 20));
                        sum += taps[b][k];
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
        Sample s = sample(1, new Random(83));
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
        Sample s = sample(0, new Random(85));
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
        Sample s = sample(1, new Random(88));
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
        assertRejectedBy(LambdaPnnLoss.builder().optDifferentiableQ(true).build(), sample(0, new Random(87)), "predictions[0] (fused)",
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
    }

    @Test
    void noneReductionGivesOneValuePerImage() {
        Sample s = sample(1, new Random(88));
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
}

package io.github.lossforge.segmentation.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.testkit.Close;
import io.github.lossforge.core.testkit.Evaluation;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.LossContract;
import io.github.lossforge.core.testkit.Sample;
import io.github.lossforge.core.testkit.TrainingTask;
import io.github.lossforge.segmentation.ReferenceCheck;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The contract runs on small images with fewer scales (the reference is differentiated at every
 * pixel, and the loss by finite differences); shape 2 is large enough for the registry's five
 * standard scales with a 3-tap window. The defaults (five scales, 11 taps, images above 160 pixels) are
 * checked against the same reference at selected gradient entries.
 */
class MsSsimLossTest extends LossContract {

    private static final double[] STANDARD = {0.0448, 0.2856, 0.3001, 0.2363, 0.1333};

    @Override
    protected List<Variant> variants() {
        double[] three = {0.2, 0.5, 0.3};
        double[] two = {0.6, 0.4};
        return List.of(
                new Variant("3 scales, 3 taps",
                        r -> MsSsimLoss.builder().optWindow(3).optWeights(three).optReduction(r).build(),
                        SsimReferences.msSsim(1.0, 3, 1.5, 0.01, 0.03, three, 1e-6)),
                new Variant("2 scales, 5 taps, sigma 1, range 2, k2 0.1",
                        r -> MsSsimLoss.builder().optWindow(5).optSigma(1).optDataRange(2).optK2(0.1).optWeights(two)
                                .optReduction(r).build(),
                        SsimReferences.msSsim(2.0, 5, 1.0, 0.01, 0.1, two, 1e-6)));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        switch (shape) {
            case 0:
                return SsimReferences.pair(rng, 0.1, 1, 1, 9, 10);
            case 1:
                return SsimReferences.pair(rng, 0.2, 2, 1, 10, 9);
            default:
                return SsimReferences.pair(rng, 0.05, 2, 1, 33, 34);
        }
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of("window", 3L), () -> MsSsimLoss.builder().optWindow(3).build()),
                new RegistryCase(Map.of("window", 3, "weights", "standard", "clampEps", 1e-4, "reduction", "sum"),
                        () -> MsSsimLoss.builder().optWindow(3).optClampEps(1e-4).optReduction(Reduction.SUM).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        return ImageBadInputs.cases(rng, 12);
    }

    @Override
    protected TrainingTask trainingTask() {
        return ImageBadInputs.denoisingTask(12);
    }

    /**
     * Per-pixel gradients of a mean over ~55,000 pixels are ~1e-8, and the reference's rounding
     * (~1e-15) over the stencil step leaves about 5 digits: the gradient is compared at 1e-4 here,
     * the value at 1e-6.
     */
    @Test
    void defaultsMatchReferenceAbove160Pixels() {
        Random rng = new Random(61);
        Sample odd = SsimReferences.pair(rng, 0.1, 1, 2, 161, 170);
        Sample even = SsimReferences.pair(rng, 0.3, 2, 1, 170, 163);
        for (Sample s : new Sample[] {odd, even}) {
            ReferenceCheck.assertMatchesAt("defaults", MsSsimLoss.builder().build(), s,
                    SsimReferences.msSsim(1.0, 11, 1.5, 0.01, 0.03, STANDARD, 1e-6)::mean, 1e-4,
                    20 * s.prediction(0).dim(3) + 30, 170 * 80 + 81, s.prediction(0).size() / 2 + 7,
                    s.prediction(0).size() - 40 * s.prediction(0).dim(3) - 50);
        }
    }

    @Test
    void fiveStandardScalesMatchReferenceWithASmallWindow() {
        Sample s = SsimReferences.pair(new Random(62), 0.2, 2, 1, 33, 36);
        ReferenceCheck.assertMatchesAt("standard weights, 3 taps", MsSsimLoss.builder().optWindow(3).build(), s,
                SsimReferences.msSsim(1.0, 3, 1.5, 0.01, 0.03, STANDARD, 1e-6)::mean, 1e-5,
                40, 33 * 18 + 17, 1500, 2000);
    }

    @Test
    void oneScaleIsSsim() {
        Sample s = SsimReferences.pair(new Random(63), 0.1, 2, 2, 14, 15);
        Close.assertClose("MS-SSIM with weights (1) vs SSIM",
                Evaluation.valueOf(MsSsimLoss.builder().optWeights(1.0).optReduction(Reduction.NONE).build(), s,
                        DataType.FLOAT64),
                Evaluation.valueOf(SsimLoss.builder().optReduction(Reduction.NONE).build(), s, DataType.FLOAT64),
                1e-12);
    }

    @Test
    void identicalImagesGiveZeroLoss() {
        Sample s = SsimReferences.pair(new Random(64), 0.1, 1, 1, 161, 161);
        Sample same = new Sample(List.of(s.prediction(0)), List.of(s.prediction(0)));
        Evaluation e = Evaluation.of(MsSsimLoss.builder().build(), same, DataType.FLOAT64);
        assertThat(Math.abs(e.scalar())).isLessThan(1e-12);
        assertThat(java.util.Arrays.stream(e.gradient(0)).map(Math::abs).max().orElseThrow())
                .as("largest |gradient| at the optimum").isLessThan(1e-12);
    }

    @Test
    void anticorrelatedImagesClampNegativeTermsAndKeepGradientsFinite() {
        Sample s = SsimReferences.pair(new Random(65), 0.0, 1, 1, 33, 33);
        HostTensor x = s.prediction(0);
        Sample anti = new Sample(List.of(x.withData(java.util.Arrays.stream(x.data()).map(v -> 1 - v).toArray())),
                List.of(x));
        MsSsimLoss loss = MsSsimLoss.builder().optWindow(3).build();
        for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
            Evaluation e = Evaluation.of(loss, anti, type);
            Close.assertFinite(type + " value", e.value());
            Close.assertFinite(type + " gradient", e.gradient(0));
        }
        double expected = SsimReferences.msSsim(1.0, 3, 1.5, 0.01, 0.03, STANDARD, 1e-6).mean(anti);
        Close.assertClose("clamped value", Evaluation.valueOf(loss, anti, DataType.FLOAT64), new double[] {expected},
                1e-9);
        assertThat(expected).as("the fine scales are anti-correlated, so MS-SSIM is near 0").isGreaterThan(0.9);
    }

    @Test
    void rejectsImagesTooSmallForThePyramid() {
        Sample s = SsimReferences.pair(new Random(66), 0.1, 1, 1, 160, 200);
        assertThatThrownBy(() -> Evaluation.valueOf(MsSsimLoss.builder().build(), s, DataType.FLOAT64))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ms-ssim")
                .hasMessageContaining("predictions[0] (x)")
                .hasMessageContaining("160×200")
                .hasMessageContaining("160 for 5 scales");
    }

    @Test
    void rejectsBadWeightsAndClamp() {
        assertThatThrownBy(() -> MsSsimLoss.builder().optWeights().build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weights");
        assertThatThrownBy(() -> MsSsimLoss.builder().optWeights(0.5, -0.1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weight");
        assertThatThrownBy(() -> MsSsimLoss.builder().optClampEps(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clampEps");
    }
}

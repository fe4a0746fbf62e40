package io.github.lossforge.segmentation.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
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

class SsimLossTest extends LossContract {

    @Override
    protected List<Variant> variants() {
        return List.of(
                new Variant("defaults", r -> SsimLoss.builder().optReduction(r).build(),
                        SsimReferences.ssim(1.0, 11, 1.5, 0.01, 0.03)),
                new Variant("range 2, 7 taps, sigma 1, k2 0.05",
                        r -> SsimLoss.builder().optDataRange(2).optWindow(7).optSigma(1).optK2(0.05).optReduction(r)
                                .build(),
                        SsimReferences.ssim(2.0, 7, 1.0, 0.01, 0.05)));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        switch (shape) {
            case 0:
                return SsimReferences.pair(rng, 0.1, 1, 1, 11, 12);
            case 1:
                return SsimReferences.pair(rng, 0.2, 2, 1, 11, 12);
            default:
                return SsimReferences.pair(rng, 0.05, 3, 3, 14, 11);
        }
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> SsimLoss.builder().build()),
                new RegistryCase(Map.of("dataRange", 255, "window", 7.0, "sigma", 1, "k1", 0.02, "k2", 0.04,
                        "reduction", "none"),
                        () -> SsimLoss.builder().optDataRange(255).optWindow(7).optSigma(1).optK1(0.02).optK2(0.04)
                                .optReduction(Reduction.NONE).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        return ImageBadInputs.cases(rng, 11);
    }

    @Override
    protected TrainingTask trainingTask() {
        return ImageBadInputs.denoisingTask(12);
    }

    @Test
    void identicalImagesGiveZeroLossAndZeroGradient() {
        Sample s = sample(1, new Random(51));
        Sample same = new Sample(List.of(s.prediction(0)), List.of(s.prediction(0)));
        Evaluation e = Evaluation.of(SsimLoss.builder().build(), same, DataType.FLOAT64);
        assertThat(Math.abs(e.scalar())).isLessThan(1e-12);
        assertThat(java.util.Arrays.stream(e.gradient(0)).map(Math::abs).max().orElseThrow())
                .as("largest |gradient| at the optimum").isLessThan(1e-12);
    }

    @Test
    void constantImagesLeaveOnlyTheLuminanceTerm() {
        double a = 0.3;
        double b = 0.7;
        Sample s = new Sample(List.of(constant(b)), List.of(constant(a)));
        double c1 = 0.01 * 0.01;
        double expected = 1 - (2 * a * b + c1) / (a * a + b * b + c1);
        Close.assertClose("1 − (2ab + C1)/(a² + b² + C1)",
                Evaluation.valueOf(SsimLoss.builder().build(), s, DataType.FLOAT64), new double[] {expected}, 1e-12);
    }

    private static HostTensor constant(double v) {
        double[] d = new double[13 * 14];
        java.util.Arrays.fill(d, v);
        return HostTensor.floats(d, 1, 1, 13, 14);
    }

    /**
     * Sides of ≥ 160 pixels cut into 2 to 4 blocks of ≥ 40 take the blocked band products (200 = 4·50
     * rows, 174 = 3·58 columns, 170 = 2·85 rows; 81 columns stay one dense band): value and gradient,
     * the latter at pixels beside the seams between blocks, at the corners and inside a block (at 1e-4,
     * as in {@code MsSsimLossTest}: per-pixel gradients of a mean over many pixels are tiny).
     */
    @Test
    void blockedBandProductsMatchTheReferenceOnLargeImages() {
        Random rng = new Random(62);
        Sample large = SsimReferences.pair(rng, 0.1, 1, 2, 200, 174);
        Sample mixed = SsimReferences.pair(rng, 0.2, 2, 1, 170, 81);
        ReferenceCheck.assertMatchesAt("200×174 (4 × 3 blocks)", SsimLoss.builder().build(), large,
                SsimReferences.ssim(1.0, 11, 1.5, 0.01, 0.03)::mean, 1e-4,
                0, 45 * 174 + 55, 50 * 174 + 120, 110 * 174 + 60, 200 * 174 + 151 * 174 + 41, 2 * 200 * 174 - 1);
        ReferenceCheck.assertMatchesAt("170×81 (2 blocks of rows)", SsimLoss.builder().build(), mixed,
                SsimReferences.ssim(1.0, 11, 1.5, 0.01, 0.03)::mean, 1e-4,
                80 * 81 + 40, 88 * 81 + 3, 170 * 81 + 84 * 81 + 80, 2 * 170 * 81 - 1);
    }

    @Test
    void rejectsImagesSmallerThanTheWindow() {
        assertRejected(SsimReferences.pair(new Random(52), 0.1, 1, 1, 10, 20), "predictions[0] (x)", "10×20",
                "11-tap window");
    }

    @Test
    void rejectsEvenWindowAndNonPositiveOptions() {
        assertThatThrownBy(() -> SsimLoss.builder().optWindow(10).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ssim")
                .hasMessageContaining("window");
        assertThatThrownBy(() -> SsimLoss.builder().optDataRange(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dataRange");
        assertThatThrownBy(() -> SsimLoss.builder().optSigma(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sigma");
    }

    @Test
    void noneReductionGivesOneValuePerImage() {
        Sample s = sample(2, new Random(53));
        try (var manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            NDList labels = s.labelList(manager, DataType.FLOAT32);
            NDList predictions = s.predictionList(manager, DataType.FLOAT32);
            var out = SsimLoss.builder().optReduction(Reduction.NONE).build().evaluate(labels, predictions);
            assertThat(out.getShape()).isEqualTo(new Shape(3));
            assertThat(out.getDataType()).isEqualTo(DataType.FLOAT32);
        }
    }

    @Test
    void aSmallConvNetLearnsTheTargetImage() {
        io.github.lossforge.segmentation.LearningCheck.assertLearns(
                SsimLoss.builder().build(), ImageBadInputs.denoisingTask(12), 150, 0.5);
    }
}

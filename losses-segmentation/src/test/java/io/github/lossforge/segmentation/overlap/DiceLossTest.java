package io.github.lossforge.segmentation.overlap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.testkit.Close;
import io.github.lossforge.core.testkit.Evaluation;
import io.github.lossforge.core.testkit.Generators;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.LeakCheck;
import io.github.lossforge.core.testkit.LossContract;
import io.github.lossforge.core.testkit.Sample;
import io.github.lossforge.core.testkit.TrainingTask;
import io.github.lossforge.segmentation.ReferenceCheck;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

class DiceLossTest extends LossContract {

    @Override
    protected List<Variant> variants() {
        return List.of(
                variant(0.0, 1.0, false),
                variant(0.3, 1.0, true),
                variant(0.01, 0.1, false),
                variant(0.0, 0.0, true));
    }

    private static Variant variant(double alpha, double smooth, boolean square) {
        return new Variant("alpha=" + alpha + " smooth=" + smooth + " square=" + square,
                r -> DiceLoss.builder().optAlpha(alpha).optSmooth(smooth).optSquareDenominator(square)
                        .optReduction(r).build(),
                OverlapReferences.tokenwise(
                        s -> OverlapReferences.diceTokenwise(s, alpha, smooth, square, true), true));
    }

    /** Multi-class samples: a 2-D image batch of 1 with an int64 mask, a 3-D volume with a float mask, tokens. */
    @Override
    protected Sample sample(int shape, Random rng) {
        switch (shape) {
            case 0:
                return new Sample(
                        List.of(Generators.classes(rng, 3, 1, 4, 5), Generators.classes(rng, 2, 1, 4, 5)),
                        List.of(Generators.normal(rng, 2.0, 1, 3, 4, 5)));
            case 1:
                return new Sample(
                        List.of(Generators.classes(rng, 4, 2, 3, 3, 2), Generators.bernoulli(rng, 0.7, 2, 3, 3, 2)),
                        List.of(Generators.normal(rng, 2.0, 2, 4, 3, 3, 2)));
            default:
                return new Sample(List.of(Generators.classes(rng, 5, 7)), List.of(Generators.normal(rng, 2.0, 7, 5)));
        }
    }

    /** Binary (C = 1) samples with a mask: (N, 1, H, W). */
    static Sample binarySample(Random rng, long n, long h, long w) {
        return new Sample(
                List.of(Generators.classes(rng, 2, n, h, w), Generators.bernoulli(rng, 0.75, n, h, w)),
                List.of(Generators.normal(rng, 2.0, n, 1, h, w)));
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> DiceLoss.builder().build()),
                new RegistryCase(Map.of("alpha", 0.01, "smooth", 1, "squareDenominator", true, "reduction", "sum"),
                        () -> DiceLoss.builder().optAlpha(0.01).optSmooth(1).optSquareDenominator(true)
                                .optReduction(Reduction.SUM).build()),
                new RegistryCase(Map.of("setLevel", false, "fromLogits", true),
                        () -> DiceLoss.builder().optSetLevel(false).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        return OverlapSamples.cases(rng);
    }

    @Override
    protected TrainingTask trainingTask() {
        return OverlapSamples.segmentationTask(3);
    }

    @Test
    void binarySetLevelIsOneDiceOverEveryKeptElementOfTheBatch() {
        Random rng = new Random(21);
        long[][] shapes = {{1, 5, 4}, {3, 4, 6}, {2, 7, 3}};
        for (long[] sh : shapes) {
            Sample s = binarySample(rng, sh[0], sh[1], sh[2]);
            for (double[] cfg : new double[][] {{0, 1, 0}, {0.2, 1, 1}, {0.01, 0, 0}, {0.5, 0.3, 1}}) {
                DiceLoss loss = DiceLoss.builder().optAlpha(cfg[0]).optSmooth(cfg[1])
                        .optSquareDenominator(cfg[2] == 1).build();
                ReferenceCheck.assertMatches("binary set-level " + java.util.Arrays.toString(cfg), loss, s,
                        x -> OverlapReferences.diceSetLevel(x, cfg[0], cfg[1], cfg[2] == 1, true));
            }
        }
    }

    @Test
    void binaryTokenwiseGivesOneValuePerElement() {
        Sample s = binarySample(new Random(22), 2, 3, 4);
        DiceLoss none = DiceLoss.builder().optSetLevel(false).optAlpha(0.1).optReduction(Reduction.NONE).build();
        Evaluation e = Evaluation.of(none, s, DataType.FLOAT64);
        Close.assertClose("per-element binary Dice", e.value(),
                OverlapReferences.diceTokenwise(s, 0.1, 1.0, false, true), 1e-9);
        DiceLoss mean = DiceLoss.builder().optSetLevel(false).optAlpha(0.1).build();
        ReferenceCheck.assertMatches("per-element binary Dice, mean over kept", mean, s,
                OverlapReferences.tokenwise(
                        x -> OverlapReferences.diceTokenwise(x, 0.1, 1.0, false, true), true)::mean);
    }

    @Test
    void noneReductionKeepsTheTokenShape() {
        Sample s = sample(1, new Random(23));
        try (var manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            NDArray out = DiceLoss.builder().optReduction(Reduction.NONE).build()
                    .evaluate(s.labelList(manager, DataType.FLOAT64), s.predictionList(manager, DataType.FLOAT64));
            assertThat(out.getShape()).isEqualTo(new Shape(2, 3, 3, 2));
        }
    }

    @Test
    void setLevelRejectsNoneReductionWithClearMessage() {
        Sample s = binarySample(new Random(24), 2, 3, 3);
        try (var manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            NDList labels = s.labelList(manager, DataType.FLOAT64);
            NDList predictions = s.predictionList(manager, DataType.FLOAT64);
            assertThatThrownBy(() -> DiceLoss.builder().optReduction(Reduction.NONE).build()
                    .evaluate(labels, predictions))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("dice")
                    .hasMessageContaining("none")
                    .hasMessageContaining("setLevel");
        }
    }

    @Test
    void maskIsFlattenedSoMaskedElementsAreSimplyLeftOut() {
        Sample s = binarySample(new Random(25), 3, 4, 4);
        Sample kept = OverlapSamples.keptOnly(s);
        for (boolean setLevel : new boolean[] {true, false}) {
            DiceLoss loss = DiceLoss.builder().optSetLevel(setLevel).optAlpha(0.1).build();
            double masked = Evaluation.valueOf(loss, s, DataType.FLOAT64)[0];
            double dropped = Evaluation.valueOf(loss, kept, DataType.FLOAT64)[0];
            Close.assertClose("setLevel=" + setLevel + ": masked vs masked-out elements removed",
                    new double[] {masked}, new double[] {dropped}, 1e-12);
        }
        double unmasked = Evaluation.valueOf(DiceLoss.builder().build(), OverlapSamples.withoutMask(s),
                DataType.FLOAT64)[0];
        double fraction = java.util.Arrays.stream(s.label(1).data()).average().orElse(0);
        double masked = Evaluation.valueOf(DiceLoss.builder().build(), s, DataType.FLOAT64)[0];
        assertThat(Math.abs(masked - unmasked * fraction))
                .as("the official broadcast bug (unmasked Dice × kept fraction) is not reproduced")
                .isGreaterThan(1e-3);
    }

    @Test
    void everyTokenMaskedOutGivesZeroWithZeroGradient() {
        for (Sample s : new Sample[] {sample(1, new Random(26)), binarySample(new Random(27), 2, 3, 3)}) {
            HostTensor mask = s.label(1);
            Sample none = s.withLabel(1, mask.withData(new double[mask.size()]));
            for (boolean setLevel : new boolean[] {true, false}) {
                Evaluation e = Evaluation.of(DiceLoss.builder().optSetLevel(setLevel).optSmooth(0).build(), none,
                        DataType.FLOAT64);
                assertThat(e.scalar()).isZero();
                assertThat(e.gradient(0)).containsOnly(0.0);
            }
        }
    }

    @Test
    void probabilitiesInputEqualsLogitsThroughSigmoidAndSoftmax() {
        for (Sample s : new Sample[] {sample(0, new Random(28)), binarySample(new Random(29), 2, 3, 4)}) {
            Sample probs = OverlapSamples.asProbabilities(s);
            for (boolean square : new boolean[] {false, true}) {
                DiceLoss logits = DiceLoss.builder().optAlpha(0.2).optSquareDenominator(square).build();
                DiceLoss probabilities = DiceLoss.builder().optAlpha(0.2).optSquareDenominator(square)
                        .optFromLogits(false).build();
                Close.assertClose("fromLogits=false on softmax/sigmoid outputs",
                        Evaluation.valueOf(probabilities, probs, DataType.FLOAT64),
                        Evaluation.valueOf(logits, s, DataType.FLOAT64), 1e-12);
            }
        }
        assertThatThrownBy(() -> Evaluation.valueOf(DiceLoss.builder().optFromLogits(false).build(),
                sample(0, new Random(30)), DataType.FLOAT64))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dice")
                .hasMessageContaining("outside [0, 1]");
    }

    @Test
    void saturatedBinaryLogitsStayFiniteWithSelfAdjustment() {
        Sample s = binarySample(new Random(31), 2, 3, 3);
        Sample extreme = s.withPrediction(0, s.prediction(0).withData(
                java.util.Arrays.stream(s.prediction(0).data()).map(v -> Math.signum(v) * 1e4).toArray()));
        for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
            for (boolean setLevel : new boolean[] {true, false}) {
                Evaluation e = Evaluation.of(DiceLoss.builder().optAlpha(0.01).optSetLevel(setLevel)
                        .optSquareDenominator(true).build(), extreme, type);
                Close.assertFinite("saturated " + type + " value", e.value());
                Close.assertFinite("saturated " + type + " gradient", e.gradient(0));
            }
        }
    }

    @Test
    void setLevelTrainingDoesNotLeakArrays() {
        LeakCheck.assertNoLeak(DiceLoss.builder().build(), OverlapSamples.segmentationTask(1), 200);
    }

    @Test
    void rejectsNegativeParameters() {
        assertThatThrownBy(() -> DiceLoss.builder().optAlpha(-0.1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dice")
                .hasMessageContaining("alpha");
        assertThatThrownBy(() -> DiceLoss.builder().optSmooth(Double.NaN).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dice")
                .hasMessageContaining("smooth");
    }

    @Test
    void aSmallConvNetLearnsTheSegmentation() {
        io.github.lossforge.segmentation.LearningCheck.assertLearns(
                DiceLoss.builder().build(), OverlapSamples.segmentationTask(3), 150, 0.6);
    }
}

package io.github.lossforge.segmentation.overlap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.testkit.Close;
import io.github.lossforge.core.testkit.Evaluation;
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

class TverskyLossTest extends LossContract {

    private final DiceLossTest samples = new DiceLossTest();

    @Override
    protected List<Variant> variants() {
        return List.of(variant(0.5, 0.5, 1.0), variant(0.3, 0.7, 1.0), variant(0.8, 0.2, 0.1), variant(1, 1, 0));
    }

    private static Variant variant(double alpha, double beta, double smooth) {
        return new Variant("alpha=" + alpha + " beta=" + beta + " smooth=" + smooth,
                r -> TverskyLoss.builder().optAlpha(alpha).optBeta(beta).optSmooth(smooth).optReduction(r).build(),
                OverlapReferences.tokenwise(
                        s -> OverlapReferences.tverskyTokenwise(s, alpha, beta, smooth, true), true));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        return samples.sample(shape, rng);
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> TverskyLoss.builder().build()),
                new RegistryCase(Map.of("alpha", 0.3, "beta", 0.7f, "smooth", 0, "reduction", "sum"),
                        () -> TverskyLoss.builder().optAlpha(0.3).optBeta(0.7f).optSmooth(0)
                                .optReduction(Reduction.SUM).build()),
                new RegistryCase(Map.of("fromLogits", true), () -> TverskyLoss.builder().build()));
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
    void binaryIsOneSetLevelTverskyOverEveryKeptElement() {
        Random rng = new Random(41);
        long[][] shapes = {{1, 5, 4}, {3, 4, 6}, {2, 3, 3}};
        for (long[] sh : shapes) {
            Sample s = DiceLossTest.binarySample(rng, sh[0], sh[1], sh[2]);
            for (double[] cfg : new double[][] {{0.5, 0.5, 1}, {0.3, 0.7, 1}, {0.9, 0.1, 0}}) {
                TverskyLoss loss = TverskyLoss.builder().optAlpha(cfg[0]).optBeta(cfg[1]).optSmooth(cfg[2]).build();
                ReferenceCheck.assertMatches("binary Tversky " + java.util.Arrays.toString(cfg), loss, s,
                        x -> OverlapReferences.tverskySetLevel(x, cfg[0], cfg[1], cfg[2], true));
            }
        }
    }

    @Test
    void halfWeightsEqualDiceWithDoubleSmoothing() {
        Sample binary = DiceLossTest.binarySample(new Random(42), 2, 4, 5);
        Sample multi = sample(1, new Random(43));
        for (Sample s : new Sample[] {binary, multi}) {
            double tversky = Evaluation.valueOf(TverskyLoss.builder().optSmooth(0.25).build(), s, DataType.FLOAT64)[0];
            double dice = Evaluation.valueOf(DiceLoss.builder().optSmooth(0.5).build(), s, DataType.FLOAT64)[0];
            Close.assertClose("Tversky(0.5, 0.5, s) vs Dice(2s)", new double[] {tversky}, new double[] {dice}, 1e-12);
        }
    }

    @Test
    void unitWeightsGiveTheSoftJaccardLoss() {
        Sample s = DiceLossTest.binarySample(new Random(44), 2, 4, 4);
        OverlapReferences.Tokens tk = OverlapReferences.tokens(s, true);
        double intersection = 0;
        double union = 0;
        for (int t = 0; t < tk.count(); t++) {
            if (tk.keep()[t]) {
                double p = tk.p()[t][0];
                intersection += p * tk.y()[t];
                union += p + tk.y()[t] - p * tk.y()[t];
            }
        }
        double got = Evaluation.valueOf(TverskyLoss.builder().optAlpha(1).optBeta(1).optSmooth(0).build(), s,
                DataType.FLOAT64)[0];
        Close.assertClose("Tversky(1, 1) vs 1 − |A∩B|/|A∪B|", new double[] {got},
                new double[] {1 - intersection / union}, 1e-12);
    }

    @Test
    void binaryRejectsNoneReductionWithClearMessage() {
        Sample s = DiceLossTest.binarySample(new Random(45), 2, 3, 3);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList labels = s.labelList(manager, DataType.FLOAT64);
            NDList predictions = s.predictionList(manager, DataType.FLOAT64);
            assertThatThrownBy(() -> TverskyLoss.builder().optReduction(Reduction.NONE).build()
                    .evaluate(labels, predictions))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("tversky")
                    .hasMessageContaining("none");
        }
    }

    @Test
    void maskedElementsAreLeftOutAndAllMaskedGivesZero() {
        Sample s = DiceLossTest.binarySample(new Random(46), 3, 4, 4);
        TverskyLoss loss = TverskyLoss.builder().optAlpha(0.3).optBeta(0.7).build();
        Close.assertClose("masked vs masked-out elements removed",
                Evaluation.valueOf(loss, s, DataType.FLOAT64),
                Evaluation.valueOf(loss, OverlapSamples.keptOnly(s), DataType.FLOAT64), 1e-12);
        for (Sample x : new Sample[] {s, sample(1, new Random(47))}) {
            HostTensor mask = x.label(1);
            Evaluation e = Evaluation.of(TverskyLoss.builder().optSmooth(0).build(),
                    x.withLabel(1, mask.withData(new double[mask.size()])), DataType.FLOAT64);
            assertThat(e.scalar()).isZero();
            assertThat(e.gradient(0)).containsOnly(0.0);
        }
    }

    @Test
    void probabilitiesInputEqualsLogitsThroughSigmoidAndSoftmax() {
        for (Sample s : new Sample[] {sample(0, new Random(48)), DiceLossTest.binarySample(new Random(49), 2, 3, 4)}) {
            Close.assertClose("fromLogits=false on softmax/sigmoid outputs",
                    Evaluation.valueOf(TverskyLoss.builder().optAlpha(0.2).optBeta(0.8).optFromLogits(false).build(),
                            OverlapSamples.asProbabilities(s), DataType.FLOAT64),
                    Evaluation.valueOf(TverskyLoss.builder().optAlpha(0.2).optBeta(0.8).build(), s, DataType.FLOAT64),
                    1e-12);
        }
    }

    @Test
    void binaryTrainingDoesNotLeakArrays() {
        LeakCheck.assertNoLeak(TverskyLoss.builder().build(), OverlapSamples.segmentationTask(1), 200);
    }

    @Test
    void rejectsNegativeWeights() {
        assertThatThrownBy(() -> TverskyLoss.builder().optBeta(-1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tversky")
                .hasMessageContaining("beta");
    }
}

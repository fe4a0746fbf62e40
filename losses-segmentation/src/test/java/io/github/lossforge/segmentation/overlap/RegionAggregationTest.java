package io.github.lossforge.segmentation.overlap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Losses;
import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.testkit.Close;
import io.github.lossforge.core.testkit.Evaluation;
import io.github.lossforge.core.testkit.Generators;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.Reference;
import io.github.lossforge.core.testkit.Sample;
import io.github.lossforge.segmentation.ReferenceCheck;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The {@code image} (MONAI's region Dice) and {@code batch} aggregations of {@code dice} and
 * {@code tversky}, value and gradient against the plain float64 loops of {@link OverlapReferences}.
 */
class RegionAggregationTest {

    /** A 2-D multi-class batch with an int64 mask, a 3-D volume with a float mask, a binary (C = 1) batch. */
    private static List<Sample> samples() {
        Random rng = new Random(41);
        return List.of(
                new Sample(List.of(Generators.classes(rng, 4, 3, 4, 5), Generators.classes(rng, 2, 3, 4, 5)),
                        List.of(Generators.normal(rng, 2.0, 3, 4, 4, 5))),
                new Sample(List.of(Generators.classes(rng, 3, 2, 3, 3, 2), Generators.bernoulli(rng, 0.7, 2, 3, 3, 2)),
                        List.of(Generators.normal(rng, 2.0, 2, 3, 3, 3, 2))),
                DiceLossTest.binarySample(rng, 3, 4, 5));
    }

    @Test
    void diceImageAndBatchMatchFloat64LoopsInValueAndGradient() {
        for (Sample s : samples()) {
            for (double[] cfg : new double[][] {{0, 1, 0, 1}, {0.2, 0.5, 1, 0}, {0, 0, 0, 0}}) {
                double alpha = cfg[0];
                double smooth = cfg[1];
                boolean square = cfg[2] == 1;
                boolean background = cfg[3] == 1;
                OverlapReferences.RegionTerm term = OverlapReferences.diceRegion(alpha, square);
                String what = "C " + s.prediction(0).dim(1) + " alpha " + alpha + " smooth " + smooth + " square "
                        + square + " includeBackground " + background;
                ReferenceCheck.assertMatches("dice image, " + what,
                        dice(Aggregation.IMAGE, alpha, smooth, square, background, Reduction.MEAN), s,
                        OverlapReferences.imageRegions(background, term, smooth)::mean);
                ReferenceCheck.assertMatches("dice batch, " + what,
                        dice(Aggregation.BATCH, alpha, smooth, square, background, Reduction.MEAN), s,
                        x -> OverlapReferences.batchRegions(x, background, term, smooth));
            }
        }
    }

    @Test
    void tverskyImageAndBatchMatchFloat64LoopsInValueAndGradient() {
        for (Sample s : samples()) {
            for (double[] cfg : new double[][] {{0.5, 0.5, 1, 1}, {0.3, 0.7, 0.5, 0}, {0.8, 0.1, 0, 0}}) {
                OverlapReferences.RegionTerm term = OverlapReferences.tverskyRegion(cfg[0], cfg[1]);
                boolean background = cfg[3] == 1;
                String what = "C " + s.prediction(0).dim(1) + " alpha " + cfg[0] + " beta " + cfg[1] + " smooth "
                        + cfg[2] + " includeBackground " + background;
                ReferenceCheck.assertMatches("tversky image, " + what,
                        tversky(Aggregation.IMAGE, cfg, background, Reduction.MEAN), s,
                        OverlapReferences.imageRegions(background, term, cfg[2])::mean);
                ReferenceCheck.assertMatches("tversky batch, " + what,
                        tversky(Aggregation.BATCH, cfg, background, Reduction.MEAN), s,
                        x -> OverlapReferences.batchRegions(x, background, term, cfg[2]));
            }
        }
    }

    @Test
    void imageAggregationGivesOneValuePerImageForSumAndNone() {
        Sample s = samples().get(0);
        Reference reference = OverlapReferences.imageRegions(false, OverlapReferences.diceRegion(0.1, false), 1);
        double[] none = Evaluation.of(dice(Aggregation.IMAGE, 0.1, 1, false, false, Reduction.NONE), s,
                DataType.FLOAT64).value();
        Close.assertClose("none: one value per image", none, reference.perSample(s), 1e-9);
        double sum = Evaluation.of(dice(Aggregation.IMAGE, 0.1, 1, false, false, Reduction.SUM), s,
                DataType.FLOAT64).scalar();
        Close.assertClose("sum over images", new double[] {sum}, new double[] {reference.sum(s)}, 1e-9);
    }

    @Test
    void anImageWithEveryPositionMaskedOutIsLeftOutOfTheMean() {
        Sample s = samples().get(0);
        HostTensor mask = s.label(1);
        double[] m = mask.data();
        int positions = m.length / 3;
        java.util.Arrays.fill(m, positions, 2 * positions, 0);
        Sample second = s.withLabel(1, mask.withData(m));
        Reference reference = OverlapReferences.imageRegions(true, OverlapReferences.diceRegion(0, false), 1);
        double[] perImage = reference.perSample(second);
        double got = Evaluation.of(dice(Aggregation.IMAGE, 0, 1, false, true, Reduction.MEAN), second,
                DataType.FLOAT64).scalar();
        Close.assertClose("mean over images 0 and 2 only", new double[] {got},
                new double[] {(perImage[0] + perImage[2]) / 2}, 1e-9);
    }

    @Test
    void oneImageMakesImageEqualToBatchAndAutoReproducesTheFormerBehaviour() {
        Random rng = new Random(43);
        Sample one = new Sample(List.of(Generators.classes(rng, 3, 1, 4, 4)), List.of(Generators.normal(rng, 2.0, 1, 3, 4, 4)));
        Close.assertClose("N = 1: image = batch",
                Evaluation.valueOf(dice(Aggregation.IMAGE, 0, 1, false, true, Reduction.MEAN), one, DataType.FLOAT64),
                Evaluation.valueOf(dice(Aggregation.BATCH, 0, 1, false, true, Reduction.MEAN), one, DataType.FLOAT64),
                1e-12);
        for (Sample s : samples()) {
            boolean binary = s.prediction(0).dim(1) == 1;
            Aggregation former = binary ? Aggregation.BATCH : Aggregation.TOKEN;
            Close.assertClose("dice auto = " + former,
                    Evaluation.valueOf(DiceLoss.builder().build(), s, DataType.FLOAT64),
                    Evaluation.valueOf(DiceLoss.builder().optAggregation(former).build(), s, DataType.FLOAT64), 1e-12);
            Close.assertClose("tversky auto = " + former,
                    Evaluation.valueOf(TverskyLoss.builder().build(), s, DataType.FLOAT64),
                    Evaluation.valueOf(TverskyLoss.builder().optAggregation(former).build(), s, DataType.FLOAT64), 1e-12);
        }
    }

    @Test
    void includeBackgroundFalseDropsClassZeroOnlyWhenThereAreSeveralClasses() {
        Sample binary = samples().get(2);
        for (Aggregation aggregation : new Aggregation[] {Aggregation.TOKEN, Aggregation.IMAGE,
                Aggregation.BATCH}) {
            Close.assertClose("C = 1 ignores includeBackground, " + aggregation,
                    Evaluation.valueOf(dice(aggregation, 0, 1, false, false, Reduction.MEAN), binary, DataType.FLOAT64),
                    Evaluation.valueOf(dice(aggregation, 0, 1, false, true, Reduction.MEAN), binary, DataType.FLOAT64),
                    1e-12);
        }
        Sample multi = samples().get(0);
        double with = Evaluation.valueOf(dice(Aggregation.TOKEN, 0, 1, false, true, Reduction.MEAN), multi,
                DataType.FLOAT64)[0];
        double without = Evaluation.valueOf(dice(Aggregation.TOKEN, 0, 1, false, false, Reduction.MEAN), multi,
                DataType.FLOAT64)[0];
        assertThat(with - without).as("token: class 0's term is left out of the per-token sum").isPositive();
    }

    @Test
    void batchAggregationRefusesSumAndNoneSayingWhy() {
        for (Reduction r : new Reduction[] {Reduction.SUM, Reduction.NONE}) {
            assertThatThrownBy(() -> DiceLoss.builder().optAggregation(Aggregation.BATCH).optReduction(r).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("dice").hasMessageContaining("'" + r.key() + "'")
                    .hasMessageContaining("one value per batch");
            assertThatThrownBy(() -> TverskyLoss.builder().optAggregation(Aggregation.BATCH).optReduction(r)
                    .build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("tversky").hasMessageContaining("one value per batch");
            // auto on a binary input resolves to batch when the input is seen
            BaseLoss auto = DiceLoss.builder().optReduction(r).build();
            assertThatThrownBy(() -> Evaluation.valueOf(auto, samples().get(2), DataType.FLOAT64))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("dice").hasMessageContaining("one value per batch");
        }
    }

    @Test
    void rejectsAnUnknownAggregationAndSetLevelWithAnExplicitAggregation() {
        assertThatThrownBy(() -> DiceLoss.builder().optAggregation("pixel").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dice").hasMessageContaining("pixel").hasMessageContaining("image");
        assertThatThrownBy(() -> DiceLoss.builder().optAggregation(Aggregation.IMAGE).optSetLevel(false).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dice").hasMessageContaining("setLevel");
        assertThatThrownBy(() -> TverskyLoss.builder().optAggregation((Aggregation) null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tversky").hasMessageContaining("aggregation");
        assertThatThrownBy(() -> Losses.create("tversky", Map.of("aggregation", "pixel")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tversky").hasMessageContaining("aggregation");
    }

    @Test
    void registryTakesAggregationAndIncludeBackground() {
        Sample s = samples().get(1);
        Close.assertClose("dice registry vs builder",
                Evaluation.valueOf(Losses.create("dice", Map.of("aggregation", "image", "includeBackground", false)),
                        s, DataType.FLOAT64),
                Evaluation.valueOf(dice(Aggregation.IMAGE, 0, 1, false, false, Reduction.MEAN), s,
                        DataType.FLOAT64), 0);
        Close.assertClose("tversky registry vs builder",
                Evaluation.valueOf(Losses.create("tversky", Map.of("aggregation", "batch", "alpha", 0.3)), s,
                        DataType.FLOAT64),
                Evaluation.valueOf(TverskyLoss.builder().optAggregation(Aggregation.BATCH).optAlpha(0.3).build(),
                        s, DataType.FLOAT64), 0);
    }

    private static DiceLoss dice(Aggregation aggregation, double alpha, double smooth, boolean square, boolean background,
            Reduction reduction) {
        return DiceLoss.builder().optAggregation(aggregation).optAlpha(alpha).optSmooth(smooth)
                .optSquareDenominator(square).optIncludeBackground(background).optReduction(reduction).build();
    }

    private static TverskyLoss tversky(Aggregation aggregation, double[] cfg, boolean background, Reduction reduction) {
        return TverskyLoss.builder().optAggregation(aggregation).optAlpha(cfg[0]).optBeta(cfg[1]).optSmooth(cfg[2])
                .optIncludeBackground(background).optReduction(reduction).build();
    }
}

package io.github.lossforge.segmentation.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.testkit.Close;
import io.github.lossforge.core.testkit.Evaluation;
import io.github.lossforge.core.testkit.LossContract;
import io.github.lossforge.core.testkit.Sample;
import io.github.lossforge.core.testkit.TrainingTask;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

class BettiMatchingLossTest extends LossContract {

    @Override
    protected List<Variant> variants() {
        return List.of(
                variant("superlevel", "superlevel", false, false),
                variant("superlevel, relative", "superlevel", true, false),
                variant("sublevel", "sublevel", false, false),
                variant("sublevel, relative, from logits", "sublevel", true, true));
    }

    private static Variant variant(String name, String filtration, boolean relative, boolean logits) {
        return new Variant(name,
                r -> BettiMatchingLoss.builder().optFiltration(filtration).optRelative(relative).optFromLogits(logits)
                        .optReduction(r).build(),
                TopologySamples.perImage((p, g, rows, cols) -> TopologyReference.bettiMatching(
                        p, g, rows, cols, filtration.equals("superlevel"), relative), logits));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        switch (shape) {
            case 0:
                return TopologySamples.sample(rng, 1, 6, 7, false);
            case 1:
                return TopologySamples.sample(rng, 2, 8, 8, true);
            default:
                return TopologySamples.sample(rng, 2, 7, 9, false);
        }
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> BettiMatchingLoss.builder().build()),
                new RegistryCase(
                        Map.of("filtration", "sublevel", "relative", true, "fromLogits", false, "reduction", "sum"),
                        () -> BettiMatchingLoss.builder().optFiltration("sublevel").optRelative(true)
                                .optReduction(Reduction.SUM).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        return TopologySamples.cases(rng, "probabilities");
    }

    @Override
    protected TrainingTask trainingTask() {
        return TopologySamples.task();
    }

    private static Evaluation evaluate(double[] p, double[] g) {
        return Evaluation.of(BettiMatchingLoss.builder().build(), TopologySamples.single(p, g, 5, 5), DataType.FLOAT64);
    }

    @Test
    void ringAgainstItselfCostsNothing() {
        Evaluation e = evaluate(TopologySamples.ring(0), TopologySamples.ring(0));
        assertThat(e.scalar()).isZero();
        assertThat(e.gradient(0)).containsOnly(0.0);
    }

    @Test
    void filledSquareAgainstRingCostsTheMissingHole() {
        double[] full = new double[25];
        Arrays.fill(full, 1);
        Evaluation e = evaluate(full, TopologySamples.ring(0));
        Close.assertClose("all ones vs ring: the unmatched hole (1 − 0)²", e.value(), new double[] {1}, 1e-12);
        assertThat(e.gradient(0)).containsOnly(0.0);
    }

    @Test
    void ringWithCentrePointSevenCostsTwiceTheSquaredDeathAndMovesOnlyTheCentre() {
        Evaluation e = evaluate(TopologySamples.ring(0.7), TopologySamples.ring(0));
        Close.assertClose("2·0.7²", e.value(), new double[] {0.98}, 1e-12);
        double[] expected = new double[25];
        expected[12] = 4 * 0.7;
        Close.assertClose("gradient only at the centre, 2·2·0.7", e.gradient(0), expected, 1e-12);
    }

    @Test
    void onAPlateauTheLastPixelInRowMajorOrderCarriesTheEssentialBirth() {
        double[] flat = new double[25];
        Arrays.fill(flat, 0.6);
        double[] full = new double[25];
        Arrays.fill(full, 1);
        Evaluation e = evaluate(flat, full);
        Close.assertClose("2·(0.6 − 1)²", e.value(), new double[] {0.32}, 1e-12);
        double[] expected = new double[25];
        expected[24] = 4 * (0.6 - 1);
        Close.assertClose("the whole gradient on pixel (4, 4), the first cube of the filtration", e.gradient(0),
                expected, 1e-12);
    }

    /**
     * A bar of 0.9 on the left edge (the truth's bar is 1) and a spurious blob of 0.6 in the centre.
     * Plain: the essential classes match (2·0.1²) and the blob is unmatched (0.6²): 0.38. Relative:
     * the border of each image's maximum closes a ring around the background, a hole in both
     * prediction (0.9, 0) and truth (1, 0) that matches (another 2·0.1²): 0.40.
     */
    @Test
    void relativeModeAddsTheBorderRingAroundTheBackground() {
        double[] p = new double[25];
        double[] g = new double[25];
        for (int i = 0; i < 5; i++) {
            p[i * 5] = 0.9;
            g[i * 5] = 1;
        }
        p[12] = 0.6;
        Sample s = TopologySamples.single(p, g, 5, 5);
        Close.assertClose("plain", Evaluation.valueOf(BettiMatchingLoss.builder().build(), s, DataType.FLOAT64),
                new double[] {0.38}, 1e-12);
        Close.assertClose("relative", Evaluation.valueOf(BettiMatchingLoss.builder().optRelative(true).build(), s,
                DataType.FLOAT64), new double[] {0.40}, 1e-12);
    }

    @Test
    void rejectsUnknownFiltration() {
        assertThatThrownBy(() -> BettiMatchingLoss.builder().optFiltration("upper").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("betti-matching")
                .hasMessageContaining("filtration");
    }

    @Test
    void aSmallConvNetLearnsTheTopology() {
        io.github.lossforge.segmentation.LearningCheck.assertLearns(
                BettiMatchingLoss.builder().build(), trainingTask(), 150, 0.7);
    }
}

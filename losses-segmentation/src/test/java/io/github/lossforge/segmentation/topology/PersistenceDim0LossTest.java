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

class PersistenceDim0LossTest extends LossContract {

    @Override
    protected List<Variant> variants() {
        return List.of(variant("superlevel"), variant("sublevel"));
    }

    private static Variant variant(String filtration) {
        return new Variant(filtration,
                r -> PersistenceDim0Loss.builder().optFiltration(filtration).optReduction(r).build(),
                TopologySamples.perImage((p, g, rows, cols) -> TopologyReference.hu(
                        p, g, rows, cols, filtration.equals("superlevel")), false));
    }

    /**
     * As for Betti matching, drawn again until no two points of a prediction's diagram (in either
     * filtration) have persistences within 1e-3: the loss jumps where the ranking of persistences
     * changes, and the finite-difference steps must not cross such a jump.
     */
    @Override
    protected Sample sample(int shape, Random rng) {
        int[][] shapes = {{1, 6, 7}, {2, 8, 8}, {2, 7, 9}};
        int[] sh = shapes[shape];
        while (true) {
            Sample s = TopologySamples.sample(rng, sh[0], sh[1], sh[2], shape == 1);
            if (rankedApart(s, sh[1], sh[2])) {
                return s;
            }
        }
    }

    private static boolean rankedApart(Sample s, int rows, int cols) {
        int size = rows * cols;
        for (int k = 0; k < s.prediction(0).dim(0); k++) {
            double[] p = Arrays.copyOfRange(s.prediction(0).data(), k * size, (k + 1) * size);
            for (boolean superlevel : new boolean[] {true, false}) {
                TopologyReference.Complex c = new TopologyReference.Complex(p, rows, cols, superlevel);
                double essential = superlevel ? 0 : 1;
                double[] persistence = c.dim0.stream()
                        .mapToDouble(v -> Math.abs(c.valueOf[v[0]] - (v[1] < 0 ? essential : c.valueOf[v[1]])))
                        .sorted().toArray();
                for (int i = 1; i < persistence.length; i++) {
                    if (persistence[i] - persistence[i - 1] < 1e-3) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> PersistenceDim0Loss.builder().build()),
                new RegistryCase(Map.of("filtration", "sublevel", "reduction", "none"),
                        () -> PersistenceDim0Loss.builder().optFiltration("sublevel").optReduction(Reduction.NONE)
                                .build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        return TopologySamples.cases(rng, "probabilities");
    }

    @Override
    protected TrainingTask trainingTask() {
        return TopologySamples.task();
    }

    /** Two one-pixel blobs of 0.9 and 0.4 on a zero background. */
    private static double[] twoBlobs() {
        double[] p = new double[25];
        p[6] = 0.9;
        p[18] = 0.4;
        return p;
    }

    @Test
    void oneTrueComponentKeepsTheMostPersistentPointAndFlattensTheRest() {
        double[] g = new double[25];
        g[6] = 1;
        Evaluation e = Evaluation.of(PersistenceDim0Loss.builder().build(), TopologySamples.single(twoBlobs(), g, 5, 5),
                DataType.FLOAT64);
        Close.assertClose("(0.9 − 1)² + 0² + (0.4 − 0)²/2", e.value(), new double[] {0.09}, 1e-12);
        double[] grad = e.gradient(0);
        Close.assertClose("birth pixels", new double[] {grad[6], grad[18]}, new double[] {-0.2, 0.4}, 1e-12);
        Close.assertClose("the blob's death pixel takes −(b − d)", new double[] {Arrays.stream(grad).sum()},
                new double[] {-0.2}, 1e-12);
    }

    @Test
    void twoTrueComponentsPullBothPointsToTheCorner() {
        double[] g = new double[25];
        g[6] = 1;
        g[18] = 1;
        double value = Evaluation.valueOf(PersistenceDim0Loss.builder().build(),
                TopologySamples.single(twoBlobs(), g, 5, 5), DataType.FLOAT64)[0];
        Close.assertClose("(0.9 − 1)² + (0.4 − 1)²", new double[] {value}, new double[] {0.37}, 1e-12);
    }

    @Test
    void perfectPredictionCostsNothing() {
        double[] g = new double[25];
        g[6] = 1;
        g[7] = 1;
        g[18] = 1;
        Evaluation e = Evaluation.of(PersistenceDim0Loss.builder().build(), TopologySamples.single(g, g, 5, 5),
                DataType.FLOAT64);
        assertThat(e.scalar()).isZero();
        assertThat(e.gradient(0)).containsOnly(0.0);
    }

    @Test
    void rejectsUnknownFiltration() {
        assertThatThrownBy(() -> PersistenceDim0Loss.builder().optFiltration("both").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("topo-dim0")
                .hasMessageContaining("filtration");
    }
}

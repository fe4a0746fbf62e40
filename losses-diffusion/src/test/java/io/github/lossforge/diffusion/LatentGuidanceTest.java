package io.github.lossforge.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.testkit.Close;
import io.github.lossforge.core.testkit.Generators;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.Sample;
import io.github.lossforge.core.testkit.Stencil;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

class LatentGuidanceTest {

    /** Attention maps = z², differentiable and non-negative. */
    private static final LatentGuidance.AttentionFunction SQUARE = (z, t) -> new NDList(z.square());

    @Test
    void oneUpdateMovesTheLatentAgainstTheGradientThroughTheAttentionFunction() {
        Random rng = new Random(1);
        HostTensor z0 = Generators.uniform(rng, 0.2, 1, 3, 3, 4);
        HostTensor masks = Generators.bernoulli(rng, 0.4, 3, 3, 4);
        double alpha = 0.7;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = z0.toNDArray(m, DataType.FLOAT64);
            LatentGuidance guidance = LatentGuidance.builder()
                    .setLoss(AStarLoss.builder().build())
                    .setAttention(SQUARE)
                    .optLabels(LatentGuidance.LabelSource.fixed(new NDList(masks.toNDArray(m, DataType.FLOAT64))))
                    .optStepSize(t -> alpha)
                    .optSteps(1, 1)
                    .optRefinement(Map.of(), 0)
                    .build();
            LatentGuidance.Result r = guidance.run(z, (x, t) -> x);
            double[] grad = Stencil.gradient(x -> {
                double[] a = x.clone();
                for (int i = 0; i < a.length; i++) {
                    a[i] *= a[i];
                }
                return AStarReferences.astar(1e-8).sum(new Sample(List.of(masks), List.of(z0.withData(a))));
            }, z0.data(), 1e-5);
            double[] expected = z0.data();
            for (int i = 0; i < expected.length; i++) {
                expected[i] -= alpha * grad[i];
            }
            Close.assertClose("z − α ∇L", r.latent().toDoubleArray(), expected, 1e-6);
            assertThat(r.losses()).hasSize(1);
            double[] squared = z0.data();
            for (int i = 0; i < squared.length; i++) {
                squared[i] *= squared[i];
            }
            assertThat(r.losses().get(0)).isCloseTo(
                    AStarReferences.astar(1e-8).sum(new Sample(List.of(masks), List.of(z0.withData(squared)))),
                    org.assertj.core.api.Assertions.within(1e-12));
            assertThat(z.toDoubleArray()).as("the input latent is not modified").containsExactly(z0.data());
        }
    }

    @Test
    void refinementRepeatsUpdatesUntilTheLossReachesTheTarget() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = Generators.uniform(new Random(2), -0.01, 0.01, 4, 4, 4).toNDArray(m, DataType.FLOAT64);
            NDArray tokens = m.create(new long[] {1, 2});
            LatentGuidance.AttentionFunction identity = (x, t) -> new NDList(x);
            LatentGuidance guidance = LatentGuidance.attendAndExcite(
                            AttendExciteLoss.builder().optSoftmaxScale(10).build(), identity, tokens)
                    .optStepSize(t -> 5)
                    .optSteps(1, 1)
                    .optRefinement(Map.of(0, 0.3), 50)
                    .build();
            LatentGuidance.Result r = guidance.run(z, (x, t) -> x);
            assertThat(r.refinementSteps()).isBetween(1, 49);
            assertThat(r.losses().get(0)).isLessThanOrEqualTo(0.3);
        }
    }

    @Test
    void stepsPastTheGuidedOnesReturnTheLatentUnchanged() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = m.ones(new Shape(2, 2, 2), DataType.FLOAT64);
            LatentGuidance guidance = LatentGuidance.builder()
                    .setLoss(AttentionSegregationLoss.builder().build()).setAttention(SQUARE)
                    .optSteps(4, 2).optRefinement(Map.of(), 0).build();
            try (LatentGuidance.Session session = guidance.newSession(m)) {
                assertThat(session.step(z, 2)).isSameAs(z);
                assertThat(session.step(z, 0)).isNotSameAs(z);
            }
        }
    }

    @Test
    void binarizedPreviousGivesTheMasksOfThePreviousStepsMaps() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = Generators.uniform(new Random(3), 0.1, 1, 2, 3, 3).toNDArray(m, DataType.FLOAT64);
            List<double[]> seen = new ArrayList<>();
            List<double[]> maps = new ArrayList<>();
            LatentGuidance.LabelSource spy = (step, current, previous) -> {
                NDList l = LatentGuidance.LabelSource.binarizedPrevious(0.5).labels(step, current, previous);
                seen.add(l.get(0).toDoubleArray());
                maps.add(current.get(0).toDoubleArray());
                return l;
            };
            LatentGuidance guidance = LatentGuidance.builder()
                    .setLoss(AttentionRetentionLoss.builder().build()).setAttention(SQUARE).optLabels(spy)
                    .optStepSize(t -> 0.5).optSteps(3, 3).optRefinement(Map.of(), 0).build();
            guidance.run(z, (x, t) -> x);
            assertThat(seen).hasSize(3);
            for (int step = 0; step < 3; step++) {
                double[] source = maps.get(Math.max(0, step - 1));
                double[] expected = new double[source.length];
                for (int map = 0; map < 2; map++) {
                    double max = 0;
                    for (int q = 0; q < 9; q++) {
                        max = Math.max(max, source[map * 9 + q]);
                    }
                    for (int q = 0; q < 9; q++) {
                        expected[map * 9 + q] = source[map * 9 + q] >= 0.5 * max ? 1 : 0;
                    }
                }
                assertThat(seen.get(step)).as("masks at step %d", step).containsExactly(expected);
            }
        }
    }

    @Test
    void aLongRunLeavesNoArraysBehind() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = Generators.uniform(new Random(4), 0.1, 1, 2, 4, 4).toNDArray(m, DataType.FLOAT64);
            NDArray masks = AttentionMaps.rasterizeBoxes(m, new double[][] {{0, 0, 0.5, 1}, {0.5, 0, 1, 1}}, 4, 4);
            LatentGuidance guidance = LatentGuidance.builder()
                    .setLoss(BoundaryConstrainedLayoutLoss.builder().build()).setAttention(SQUARE)
                    .optLabels(LatentGuidance.LabelSource.fixed(new NDList(masks)))
                    .optStepSize(t -> 0.1).optSteps(30, 25).build();
            int before = m.getManagedArrays().size();
            LatentGuidance.Result r = guidance.run(z, (x, t) -> x.duplicate());
            assertThat(m.getManagedArrays().size()).as("arrays left: the result latent only, got %s", m.getManagedArrays()).isEqualTo(before + 1);
            assertThat(r.losses()).hasSize(25);
            assertThat(r.losses().get(24)).isLessThan(r.losses().get(0));
        }
    }

    @Test
    void rejectsInconsistentSchedules() {
        assertThatThrownBy(() -> LatentGuidance.builder().setLoss(AStarLoss.builder().build()).setAttention(SQUARE)
                .optSteps(5, 6).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("guidedSteps");
        assertThat(LatentGuidance.StepSize.attendAndExcite(50).at(0)).isEqualTo(20.0);
        assertThat(LatentGuidance.StepSize.attendAndExcite(50).at(49)).isCloseTo(20 * Math.sqrt(0.5),
                org.assertj.core.api.Assertions.within(1e-12));
    }
}

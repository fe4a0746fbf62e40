package io.github.lossforge.contrastive;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.github.lossforge.contrastive.pairs.MultiSimilarityLoss;
import io.github.lossforge.contrastive.selfsupervised.CwclLoss;
import io.github.lossforge.contrastive.selfsupervised.InfoNceLoss;
import io.github.lossforge.contrastive.selfsupervised.NtXentLoss;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.testkit.Close;
import io.github.lossforge.core.testkit.Stencil;

import org.junit.jupiter.api.Test;

import java.util.Random;

/**
 * The losses whose closed-form gradients are attached per sample (reduction none) give each sample
 * its own gradient: a weighted sum of the per-sample values, backpropagated, matches finite
 * differences of the same weighted sum (the mean and sum reductions are covered by each loss's
 * contract test).
 */
class PerSampleGradientTest {

    private static final int N = 6;
    private static final int D = 4;

    @Test
    void multiSimilaritySamplesCarryTheirOwnGradients() {
        long[] classes = {0, 1, 0, 1, 2, 0};
        check(MultiSimilarityLoss.builder().optReduction(Reduction.NONE).build(), classes, 1);
    }

    @Test
    void ntXentSamplesCarryTheirOwnGradients() {
        check(NtXentLoss.builder().optReduction(Reduction.NONE).build(), null, 2);
    }

    @Test
    void infoNceSamplesCarryTheirOwnGradients() {
        check(InfoNceLoss.builder().optReduction(Reduction.NONE).build(), null, 2);
    }

    @Test
    void symmetricInfoNceSamplesCarryTheirOwnGradients() {
        check(InfoNceLoss.builder().optSymmetric(true).optReduction(Reduction.NONE).build(), null, 2);
    }

    @Test
    void oneDirectionCwclSamplesCarryTheirOwnGradients() {
        check(CwclLoss.builder().optSymmetric(false).optReduction(Reduction.NONE).build(), null, 2, 1);
    }

    @Test
    void cwclSamplesCarryTheirOwnGradients() {
        // u's weights are detached by design, which finite differences cannot see: v only
        check(CwclLoss.builder().optReduction(Reduction.NONE).build(), null, 2, 1);
    }

    private static void check(BaseLoss loss, long[] classes, int slots) {
        check(loss, classes, slots, 0);
    }

    private static void check(BaseLoss loss, long[] classes, int slots, int firstChecked) {
        Random random = new Random(7);
        double[][] x = new double[slots][N * D];
        for (double[] slot : x) {
            for (int i = 0; i < slot.length; i++) {
                slot[i] = random.nextGaussian();
            }
        }
        double[] weights = new double[N];
        for (int i = 0; i < N; i++) {
            weights[i] = random.nextDouble() * 2 - 0.5;
        }
        for (int slot = firstChecked; slot < slots; slot++) {
            final int s = slot;
            double[] analytic = gradient(loss, classes, x, weights, slot);
            double[] numeric = Stencil.gradient(v -> {
                double[][] probe = x.clone();
                probe[s] = v;
                return weightedValue(loss, classes, probe, weights);
            }, x[slot], 1e-5);
            Close.assertClose(loss.getName() + ": weighted gradient of predictions[" + slot + "]", analytic, numeric,
                    1e-6);
        }
    }

    private static NDList[] inputs(NDManager manager, long[] classes, double[][] x) {
        NDList predictions = new NDList();
        for (double[] slot : x) {
            predictions.add(manager.create(slot, new Shape(N, D)));
        }
        NDList labels = new NDList();
        if (classes != null) {
            labels.add(manager.create(classes));
        }
        return new NDList[] {labels, predictions};
    }

    private static double weightedValue(BaseLoss loss, long[] classes, double[][] x, double[] weights) {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList[] io = inputs(manager, classes, x);
            double[] values = loss.evaluate(io[0], io[1]).toType(DataType.FLOAT64, false).toDoubleArray();
            double sum = 0;
            for (int i = 0; i < N; i++) {
                sum += weights[i] * values[i];
            }
            return sum;
        }
    }

    private static double[] gradient(BaseLoss loss, long[] classes, double[][] x, double[] weights, int slot) {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList[] io = inputs(manager, classes, x);
            for (NDArray p : io[1]) {
                p.setRequiresGradient(true);
            }
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray values = loss.evaluate(io[0], io[1]);
                collector.backward(values.mul(manager.create(weights)).sum());
            }
            double[] g = io[1].get(slot).getGradient().toDoubleArray();
            assertThat(g).hasSize(N * D);
            return g;
        }
    }
}

package io.github.lossforge.contrastive.hyperbolic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.testkit.Close;

import org.junit.jupiter.api.Test;

class PseudoNegativeSamplerTest {

    private static NDArray batch(NDManager m, double... rowsOf2) {
        return m.create(rowsOf2, new Shape(rowsOf2.length / 2, 2)).toType(DataType.FLOAT64, false);
    }

    @Test
    void officialModeMixesThePreviousBatchMeanWithTheCurrentOne() {
        PseudoNegativeSampler sampler = new PseudoNegativeSampler(0.8, 0, PseudoNegativeSampler.Mode.PREVIOUS_BATCH);
        try (NDManager m = NDManager.newBaseManager()) {
            // Batch means (1, 2), (3, 0), (−1, 4).
            double[] first = sampler.sample(batch(m, 0, 2, 2, 2), 3).toDoubleArray();
            Close.assertClose("μ1 = 0.2·(1, 2)", sampler.mean(), new double[] {0.2, 0.4}, 1e-15);
            Close.assertClose("σ = 0: every sample is μ", first, new double[] {0.2, 0.4, 0.2, 0.4, 0.2, 0.4}, 1e-15);
            sampler.sample(batch(m, 3, 0), 1);
            Close.assertClose("μ2 = 0.8·(1, 2) + 0.2·(3, 0)", sampler.mean(), new double[] {1.4, 1.6}, 1e-15);
            sampler.sample(batch(m, -1, 4), 1);
            Close.assertClose("μ3 = 0.8·(3, 0) + 0.2·(−1, 4)", sampler.mean(), new double[] {2.2, 0.8}, 1e-15);
        }
    }

    @Test
    void runningModeIsAnExponentialMovingAverage() {
        PseudoNegativeSampler sampler = new PseudoNegativeSampler(0.5, 0, PseudoNegativeSampler.Mode.RUNNING);
        try (NDManager m = NDManager.newBaseManager()) {
            sampler.sample(batch(m, 2, 4), 1);
            sampler.sample(batch(m, 6, 0), 1);
            // μ1 = (1, 2); μ2 = 0.5·(1, 2) + 0.5·(6, 0).
            Close.assertClose("μ2", sampler.mean(), new double[] {3.5, 1}, 1e-15);
            sampler.resetState();
            assertThat(sampler.mean()).isNull();
            sampler.sample(batch(m, 2, 4), 1);
            Close.assertClose("after reset", sampler.mean(), new double[] {1, 2}, 1e-15);
        }
    }

    @Test
    void samplesSpreadWithTheGivenStdAndCarryNoGradient() {
        PseudoNegativeSampler sampler = PseudoNegativeSampler.hypOc();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray f = batch(m, 10, -10, 10, -10);
            f.setRequiresGradient(true);
            NDArray s = sampler.sample(f, 20000);
            assertThat(s.getShape()).isEqualTo(new Shape(20000, 2));
            assertThat(s.getDataType()).isEqualTo(DataType.FLOAT64);
            assertThat(s.hasGradient()).isFalse();
            double[] mean = s.mean(new int[] {0}).toDoubleArray();
            double[] sd = s.sub(s.mean(new int[] {0})).square().mean(new int[] {0}).sqrt().toDoubleArray();
            // μ = 0.2·(10, −10); the standard error of the mean is 0.007, of the std about 0.005.
            assertThat(Math.abs(mean[0] - 2)).isLessThan(0.05);
            assertThat(Math.abs(mean[1] + 2)).isLessThan(0.05);
            assertThat(Math.abs(sd[0] - 1)).isLessThan(0.05);
            assertThat(Math.abs(sd[1] - 1)).isLessThan(0.05);
        }
    }

    @Test
    void rejectsBadSettingsAndInputs() {
        assertThatThrownBy(() -> new PseudoNegativeSampler(1.5, 1, PseudoNegativeSampler.Mode.RUNNING))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("momentum");
        assertThatThrownBy(() -> new PseudoNegativeSampler(0.5, -1, PseudoNegativeSampler.Mode.RUNNING))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("std");
        PseudoNegativeSampler sampler = PseudoNegativeSampler.hypOc();
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> sampler.sample(m.zeros(new Shape(3)), 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(N, D)");
            sampler.sample(batch(m, 1, 2), 1);
            assertThatThrownBy(() -> sampler.sample(m.zeros(new Shape(2, 3)), 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("resetState");
        }
    }
}

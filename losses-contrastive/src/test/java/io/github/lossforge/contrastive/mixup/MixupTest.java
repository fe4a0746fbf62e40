package io.github.lossforge.contrastive.mixup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;

import java.util.Random;

class MixupTest {

    @Test
    void betaWeightsHaveTheMeanAndVarianceOfBetaAlphaAlpha() {
        for (double alpha : new double[] {0.4, 2.0}) {
            Random rng = new Random(11);
            int count = 200_000;
            double sum = 0;
            double squares = 0;
            for (int i = 0; i < count; i++) {
                double l = Mixup.sampleBeta(rng, alpha);
                assertThat(l).isBetween(0.0, 1.0);
                sum += l;
                squares += l * l;
            }
            double mean = sum / count;
            double variance = squares / count - mean * mean;
            assertThat(mean).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.005));
            assertThat(variance).isCloseTo(1 / (4 * (2 * alpha + 1)), org.assertj.core.data.Offset.offset(0.003));
        }
    }

    @Test
    void mixesRowsOfInputsFeaturesAndEmbeddingsAlongTheBatchAxis() {
        try (NDManager manager = NDManager.newBaseManager()) {
            double[] data = new double[3 * 2 * 2];
            for (int i = 0; i < data.length; i++) {
                data[i] = i;
            }
            NDArray x = manager.create(data, new Shape(3, 2, 2));
            Mixup.Pairs pairs = new Mixup.Pairs(new long[] {0, 2}, new long[] {1, 0}, new double[] {0.25, 1.0});
            double[] mixed = Mixup.mix(x, pairs).toDoubleArray();
            for (int k = 0; k < 4; k++) {
                assertThat(mixed[k]).isEqualTo(0.25 * data[k] + 0.75 * data[4 + k]);
                assertThat(mixed[4 + k]).as("weight 1: partner A unchanged").isEqualTo(data[8 + k]);
            }
            NDArray embeddings = manager.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
            assertThat(Mixup.mix(embeddings, new Mixup.Pairs(new long[] {1}, new long[] {0}, new double[] {0.5}))
                    .toFloatArray()).containsExactly(2f, 3f);
            assertThat(pairs.labels(manager.create(new long[] {0, 1, 1}), DataType.FLOAT64).get(3).toDoubleArray())
                    .containsExactly(0.25, 1.0);
        }
    }

    @Test
    void drawnPairsUseDistinctPartnersInsideTheBatch() {
        Mixup.Pairs pairs = Mixup.pairs(new Random(2), 5, 100, 2.0);
        for (int j = 0; j < 100; j++) {
            assertThat(pairs.a()[j]).isBetween(0L, 4L);
            assertThat(pairs.b()[j]).isBetween(0L, 4L).isNotEqualTo(pairs.a()[j]);
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> Mixup.sampleBeta(new Random(1), 0)).hasMessageContaining("alpha");
        assertThatThrownBy(() -> new Mixup.Pairs(new long[] {0}, new long[] {0}, new double[] {1.2}))
                .hasMessageContaining("[0, 1]");
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(new float[] {1, 2}, new Shape(2, 1));
            assertThatThrownBy(() -> Mixup.mix(x, new Mixup.Pairs(new long[] {2}, new long[] {0}, new double[] {0.5})))
                    .hasMessageContaining("out of the batch");
        }
    }
}

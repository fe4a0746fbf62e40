package io.github.lossforge.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.Checks;
import io.github.lossforge.core.testkit.Close;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

class AttentionMapsTest {

    @Test
    void binarizeKeepsValuesAtLeastTheThresholdTimesEachMapsMaximum() {
        try (NDManager m = NDManager.newBaseManager()) {
            double[] v = {0.1, 0.5, 0.2, 1.0, 2, 0.9, 1.1, 0.4};
            NDArray maps = m.create(v, new Shape(2, 2, 2));
            double[] got = AttentionMaps.binarize(maps, 0.5).toDoubleArray();
            assertThat(got).containsExactly(0, 1, 0, 1, 1, 0, 1, 0);
            assertThat(AttentionMaps.binarize(maps, 0).toDoubleArray()).containsOnly(1.0);
            assertThat(AttentionMaps.binarize(m.zeros(new Shape(2, 2)), 0.5).toFloatArray()).containsOnly(1f);
        }
    }

    @Test
    void binarizeCarriesNoGradientAndRejectsABadThreshold() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray maps = m.create(new double[] {0.1, 0.6, 0.3, 0.2}, new Shape(2, 2));
            maps.setRequiresGradient(true);
            assertThat(AttentionMaps.binarize(maps, 0.5).hasGradient()).isFalse();
            assertThatThrownBy(() -> AttentionMaps.binarize(maps, 1.5))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threshold");
        }
    }

    @Test
    void rasterizeBoxesCoversThePixelsWhoseCentresLieInTheBox() {
        try (NDManager m = NDManager.newBaseManager()) {
            double[][] boxes = {{0, 0, 0.5, 1}, {0.25, 0.5, 1, 0.75}, {0.6, 0.1, 0.61, 0.11}};
            float[] got = AttentionMaps.rasterizeBoxes(m, boxes, 4, 4).toFloatArray();
            float[] expected = {
                1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0,
                0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
            assertThat(got).containsExactly(expected);
            assertThatThrownBy(() -> AttentionMaps.rasterizeBoxes(m, new double[][] {{0.5, 0, 0.4, 1}}, 4, 4))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("box 0");
        }
    }

    @Test
    void aggregateAveragesHeadsAndLayersOfOneResolution() {
        Random rng = new Random(5);
        int batch = 2;
        int heads = 3;
        int tokens = 4;
        double[][] layers = new double[3][];
        int[] sides = {2, 1, 2};
        try (NDManager m = NDManager.newBaseManager()) {
            List<NDArray> arrays = new java.util.ArrayList<>();
            for (int l = 0; l < 3; l++) {
                int hw = sides[l] * sides[l];
                layers[l] = new double[batch * heads * hw * tokens];
                for (int i = 0; i < layers[l].length; i++) {
                    layers[l][i] = rng.nextDouble();
                }
                arrays.add(m.create(layers[l], new Shape(batch * heads, hw, tokens)));
            }
            double[] got = AttentionMaps.aggregateCrossAttention(arrays, batch, 2).toDoubleArray();
            double[] expected = new double[batch * 4 * tokens];
            for (int b = 0; b < batch; b++) {
                for (int q = 0; q < 4; q++) {
                    for (int t = 0; t < tokens; t++) {
                        double s = 0;
                        for (int l : new int[] {0, 2}) {
                            for (int h = 0; h < heads; h++) {
                                s += layers[l][(((b * heads + h) * 4) + q) * tokens + t];
                            }
                        }
                        expected[(b * 4 + q) * tokens + t] = s / (2 * heads);
                    }
                }
            }
            Close.assertClose("aggregate", got, expected, 1e-12);
            assertThatThrownBy(() -> AttentionMaps.aggregateCrossAttention(arrays, batch, 3))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no layer");
        }
    }

    @Test
    void conceptMapsPicksTokensAndPutsTheConceptAxisFirst() {
        try (NDManager m = NDManager.newBaseManager()) {
            double[] v = new double[2 * 3 * 4];
            for (int i = 0; i < v.length; i++) {
                v[i] = i;
            }
            NDArray attention = m.create(v, new Shape(2, 3, 4));
            NDArray maps = AttentionMaps.conceptMaps(attention, new long[] {3, 1});
            assertThat(maps.getShape()).isEqualTo(new Shape(2, 2, 3));
            assertThat(maps.toDoubleArray()).containsExactly(3, 7, 11, 15, 19, 23, 1, 5, 9, 13, 17, 21);
            assertThat(AttentionMaps.conceptMaps(attention.expandDims(0), new long[] {0}).getShape())
                    .isEqualTo(new Shape(1, 1, 2, 3));
            assertThatThrownBy(() -> AttentionMaps.conceptMaps(attention, new long[] {4}))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token 4");
            assertThat(AttentionMaps.conceptMaps(attention.toType(DataType.FLOAT32, false), new long[] {2})
                    .getDataType()).isEqualTo(DataType.FLOAT32);
        }
    }

    @Test
    void theMaskCheckRejectsEveryValueButZeroAndOneEvenTheNearestFloats() {
        AStarLoss loss = AStarLoss.builder().build();
        float belowOne = Math.nextDown(1f);
        float[] bad = {belowOne, Math.nextUp(1f), Float.MIN_VALUE, 1e-30f, -0.5f, 2, 0.5f};
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray maps = m.randomUniform(0, 1, new Shape(1, 2, 2, 2));
            float[] ok = {0, 1, 1, 0, -0f, 1, 0, 0};
            assertThat(loss.evaluate(new NDList(m.create(ok, new Shape(1, 2, 2, 2))),
                    new NDList(maps)).getShape().dimension()).isZero();
            for (float v : bad) {
                float[] masks = ok.clone();
                masks[3] = v;
                assertThatThrownBy(() -> loss.evaluate(new NDList(m.create(masks, new Shape(1, 2, 2, 2))),
                        new NDList(maps))).as("mask value %s", v)
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 and 1");
            }
        }
    }

    @Test
    void aNegativeMapValueIsRejectedByTheMinimumTheFinitenessCheckAlreadyReduces() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] values = new float[2 * 4 * 4];
            Arrays.fill(values, 0.25f);
            values[5] = -0.5f;
            NDArray maps = m.create(values, new Shape(2, 4, 4));
            long before = Checks.hostReads();
            assertThatThrownBy(() -> AttentionSegregationLoss.builder().build().evaluate(new NDList(), new NDList(maps)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("astar-segregation")
                    .hasMessageContaining("predictions[0]")
                    .hasMessageContaining("-0.5 below 0, expected non-negative attention values");
            assertThat(Checks.hostReads() - before).isEqualTo(1);
        }
    }
}


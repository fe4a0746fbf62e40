package io.github.lossforge.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

class BaseLossTest {

    /** Σ_k x_k² per row, counting how often it is computed. */
    private static final class CountingSquareLoss extends BaseLoss {
        final AtomicInteger computed = new AtomicInteger();

        CountingSquareLoss(Reduction reduction) {
            super("counting-square", reduction, true);
        }

        @Override
        protected NDArray compute(LossInputs in) {
            computed.incrementAndGet();
            in.requireSlots(0, 1, 1, 1);
            return in.prediction(0, "x").requireRank("(N, D)", 2).array().square().sum(new int[] {1});
        }
    }

    @Test
    void accumulatorUpdateReusesTheValueComputedForTheGradient() {
        CountingSquareLoss loss = new CountingSquareLoss(Reduction.MEAN);
        loss.addAccumulator("train");
        try (NDManager m = NDManager.newBaseManager()) {
            NDList labels = new NDList();
            NDList predictions = new NDList(m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2)));
            predictions.get(0).setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(loss.evaluate(labels, predictions));
            }
            loss.updateAccumulators(new String[] {"train"}, labels, predictions);
            assertThat(loss.computed).hasValue(1);
            assertThat(loss.getAccumulator("train")).isEqualTo(15f);
            NDList other = new NDList(m.create(new float[] {1, 1}, new Shape(1, 2)));
            loss.updateAccumulators(new String[] {"train"}, labels, other);
            assertThat(loss.computed).hasValue(2);
        }
    }

    @Test
    void evaluatingTwiceUnderAutogradRecomputesSoBothBackwardPassesWork() {
        CountingSquareLoss loss = new CountingSquareLoss(Reduction.SUM);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new double[] {1, 2}, new Shape(1, 2));
            x.setRequiresGradient(true);
            NDList predictions = new NDList(x);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(loss.evaluate(new NDList(), predictions));
            }
            assertThat(x.getGradient().toDoubleArray()).containsExactly(2, 4);
            // a cached value would have a freed graph here and backward would fail
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(loss.evaluate(new NDList(), predictions));
            }
            assertThat(loss.computed).hasValue(2);
        }
    }

    @Test
    void temporariesDieInsideEvaluate() {
        CountingSquareLoss loss = new CountingSquareLoss(Reduction.MEAN);
        try (NDManager m = NDManager.newBaseManager()) {
            NDList predictions = new NDList(m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2)));
            int before = m.getManagedArrays().size();
            NDArray result = loss.evaluate(new NDList(), predictions);
            assertThat(m.getManagedArrays()).hasSize(before + 1).contains(result);
        }
    }

    @Test
    void float16IsWidenedToFloat32WithoutLosingTheGraph() {
        CountingSquareLoss loss = new CountingSquareLoss(Reduction.SUM);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2}, new Shape(1, 2)).toType(DataType.FLOAT16, false);
            x.setRequiresGradient(true);
            NDArray value;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                value = loss.evaluate(new NDList(), new NDList(x));
                gc.backward(value);
            }
            assertThat(value.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(value.getFloat()).isEqualTo(5f);
            assertThat(x.getGradient().toType(DataType.FLOAT32, false).toFloatArray()).containsExactly(2f, 4f);
        }
    }

    @Test
    void mixedPredictionDtypesAreRejected() {
        BaseLoss twoSlots = new BaseLoss("two-slots", Reduction.MEAN, true) {
            @Override
            protected NDArray compute(LossInputs in) {
                NDArray a = in.prediction(0, "a").array();
                NDArray b = in.prediction(1, "b").array();
                return a.add(b);
            }
        };
        try (NDManager m = NDManager.newBaseManager()) {
            NDList p = new NDList(m.create(new float[] {1f}), m.create(new double[] {1}));
            assertThatThrownBy(() -> twoSlots.evaluate(new NDList(), p))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("two-slots: predictions[1] (b) is float64")
                    .hasMessageContaining("float32");
        }
    }

    @Test
    void noneReductionIsRefusedForBatchLevelLosses() {
        assertThatThrownBy(() -> new BaseLoss("batch-level", Reduction.NONE, false) {
                    @Override
                    protected NDArray compute(LossInputs in) {
                        return null;
                    }
                })
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batch-level")
                .hasMessageContaining("none");
    }

    @Test
    void keptMeanDividesByTheKeptCountAndIsZeroWhenNothingIsKept() {
        BaseLoss masked = new BaseLoss("masked", Reduction.MEAN, true) {
            @Override
            protected NDArray compute(LossInputs in) {
                return in.prediction(0, "x").array();
            }

            @Override
            protected NDArray reduce(NDArray values) {
                return reduceKept(values, values.gt(0).toType(values.getDataType(), false));
            }
        };
        try (NDManager m = NDManager.newBaseManager()) {
            assertThat(masked.evaluate(new NDList(), new NDList(m.create(new double[] {2, -1, 4}))).getDouble())
                    .isEqualTo(3.0);
            NDArray none = m.create(new double[] {-2, -1});
            none.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray v = masked.evaluate(new NDList(), new NDList(none));
                assertThat(v.getDouble()).isEqualTo(0.0);
                gc.backward(v);
            }
            assertThat(none.getGradient().toDoubleArray()).containsExactly(0, 0);
        }
    }
}

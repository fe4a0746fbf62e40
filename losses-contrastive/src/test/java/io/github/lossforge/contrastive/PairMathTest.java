package io.github.lossforge.contrastive;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.github.lossforge.core.testkit.Close;

import org.junit.jupiter.api.Test;

class PairMathTest {

    private static final double[] X = {1.0, -2.0, 3.0, 1e4, 0.5, -1e4, 2.0, 2.0, -7.0};
    private static final boolean[] VALID = {true, true, false, false, false, false, true, false, true};

    private static double[] lseAndGradient(boolean addOne, double[] gradient) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(X, new Shape(3, 3));
            x.setRequiresGradient(true);
            NDArray valid = m.create(VALID, new Shape(3, 3));
            double[] value;
            try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                NDArray lse = PairMath.maskedLogSumExp(x, valid, addOne);
                value = lse.toDoubleArray();
                c.backward(lse.sum());
            }
            System.arraycopy(x.getGradient().toDoubleArray(), 0, gradient, 0, 9);
            return value;
        }
    }

    @Test
    void maskedLogSumExpIgnoresExcludedEntriesAndGivesZeroForAnEmptyRow() {
        double[] g = new double[9];
        double[] v = lseAndGradient(false, g);
        double row0 = Math.log(Math.exp(1) + Math.exp(-2));
        double row2 = Math.log(Math.exp(2) + Math.exp(-7));
        Close.assertClose("values", v, new double[] {row0, 0, row2}, 1e-12);
        double[] expected = {
            Math.exp(1 - row0), Math.exp(-2 - row0), 0,
            0, 0, 0,
            Math.exp(2 - row2), 0, Math.exp(-7 - row2)};
        Close.assertClose("gradient (excluded and empty-row entries exactly 0)", g, expected, 1e-12);
        assertThat(g[3]).isZero();
        assertThat(g[5]).isZero();
    }

    @Test
    void maskedLogSumExpWithAddOneIsLogOfOnePlusTheSum() {
        double[] g = new double[9];
        double[] v = lseAndGradient(true, g);
        double row0 = Math.log(1 + Math.exp(1) + Math.exp(-2));
        double row2 = Math.log(1 + Math.exp(2) + Math.exp(-7));
        Close.assertClose("values", v, new double[] {row0, 0, row2}, 1e-12);
        Close.assertClose("gradient of row 0", new double[] {g[0], g[1], g[2]},
                new double[] {Math.exp(1 - row0), Math.exp(-2 - row0), 0}, 1e-12);
        Close.assertFinite("gradient", g);
    }

    @Test
    void maskedSoftmaxIsTheGradientOfMaskedLogSumExp() {
        for (boolean addOne : new boolean[] {false, true}) {
            double[] g = new double[9];
            lseAndGradient(addOne, g);
            try (NDManager m = NDManager.newBaseManager()) {
                double[] p = PairMath.maskedSoftmax(m.create(X, new Shape(3, 3)), m.create(VALID, new Shape(3, 3)),
                        addOne).toDoubleArray();
                Close.assertClose("addOne=" + addOne, p, g, 1e-12);
            }
        }
    }

    @Test
    void masksFromLabelsExcludeTheAnchorFromItsPositives() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray labels = m.create(new long[] {0, 1, 0, 2});
            boolean[] pos = PairMath.positivePairs(labels, 1, 3).toBooleanArray();
            boolean[] neg = PairMath.negativePairs(labels, 1, 3).toBooleanArray();
            assertThat(pos).containsExactly(
                    false, false, false, false,
                    true, false, false, false,
                    false, false, false, false);
            assertThat(neg).containsExactly(
                    true, false, true, true,
                    false, true, false, true,
                    true, true, true, false);
        }
    }

    @Test
    void euclideanDistanceOfARowWithItselfIsZeroWithZeroGradient() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new double[] {0.3, -1.2, 2.0, 0.7}, new Shape(2, 2));
            x.setRequiresGradient(true);
            double[] d;
            try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                NDArray dist = PairMath.euclideanMatrix(x, x);
                d = dist.toDoubleArray();
                c.backward(dist.get("0, 0"));
            }
            assertThat(d[0]).isZero();
            Close.assertClose("d(x0, x1)", new double[] {d[1]},
                    new double[] {Math.hypot(0.3 - 2.0, -1.2 - 0.7)}, 1e-12);
            Close.assertFinite("gradient", x.getGradient().toDoubleArray());
        }
    }

    @Test
    void l2NormalizeLeavesAZeroRowAtZeroWithAFiniteGradient() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {0, 0, 3, 4}, new Shape(2, 2));
            x.setRequiresGradient(true);
            double[] v;
            try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                NDArray n = PairMath.l2Normalize(x);
                v = n.toType(DataType.FLOAT64, false).toDoubleArray();
                c.backward(n.sum());
            }
            Close.assertClose("normalised", v, new double[] {0, 0, 0.6, 0.8}, 1e-7);
            Close.assertFinite("gradient", x.getGradient().toType(DataType.FLOAT64, false).toDoubleArray());
        }
    }

    @Test
    void maskedMaxGivesTheWholeGradientToTheSelectedEntryEvenWhenItIsTheGlobalMinimum() {
        try (NDManager m = NDManager.newBaseManager()) {
            // row 0's only valid entry, after an excluded one, is the smallest value of the matrix
            NDArray x = m.create(new double[] {3, -5, 1, 2}, new Shape(2, 2));
            x.setRequiresGradient(true);
            NDArray valid = m.create(new boolean[] {false, true, true, true}, new Shape(2, 2));
            double[] value;
            try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                NDArray max = PairMath.maskedMax(x, valid, Double.NEGATIVE_INFINITY);
                value = max.toDoubleArray();
                c.backward(max.sum());
            }
            assertThat(value).containsExactly(-5, 2);
            assertThat(x.getGradient().toDoubleArray()).containsExactly(0, 1, 0, 1);
        }
    }
}

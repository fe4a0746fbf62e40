package io.github.lossforge.contrastive.hyperbolic;

import static io.github.lossforge.contrastive.hyperbolic.BallReference.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.github.lossforge.core.testkit.Close;

import org.junit.jupiter.api.Test;

import java.util.Random;

class PoincareBallTest {

    private static final int R = 6;
    private static final int D = 4;

    private static double[] gaussian(Random rng, double scale, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = scale * rng.nextGaussian();
        }
        return d;
    }

    private static NDArray f64(NDManager m, double[] data, int rows, int d) {
        return m.create(data, new Shape(rows, d)).toType(DataType.FLOAT64, false);
    }

    /** Points of the ball: exp_0 of Gaussian tangent vectors, as double rows. */
    private static double[] ballPoints(Random rng, double c, double scale, int n) {
        double[] u = gaussian(rng, scale, n * D);
        double[] out = new double[n * D];
        for (int i = 0; i < n; i++) {
            System.arraycopy(BallReference.expMap0(row(u, D, i), c), 0, out, i * D, D);
        }
        return out;
    }

    @Test
    void logOfExpAtTheOriginIsTheIdentityInFloat64() {
        for (double c : new double[] {0.1, 1.0, 2.5}) {
            PoincareBall ball = new PoincareBall(c);
            // Tangent vectors with √c‖u‖ of a few units: inside the range where no tanh/artanh clamp acts.
            double[] u = gaussian(new Random(1), 0.8 / Math.sqrt(c), R * D);
            try (NDManager m = NDManager.newBaseManager()) {
                double[] back = ball.logMap0(ball.expMap0(f64(m, u, R, D))).toDoubleArray();
                Close.assertClose("log0(exp0(u)), c = " + c, back, u, 1e-9);
            }
        }
    }

    @Test
    void logOfExpAtAPointIsTheIdentityInFloat64() {
        for (double c : new double[] {0.1, 1.0}) {
            PoincareBall ball = new PoincareBall(c);
            Random rng = new Random(2);
            double[] x = ballPoints(rng, c, 0.5 / Math.sqrt(c), R);
            double[] u = gaussian(rng, 0.3 / Math.sqrt(c), R * D);
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray xs = f64(m, x, R, D);
                double[] back = ball.logMap(xs, ball.expMap(xs, f64(m, u, R, D))).toDoubleArray();
                Close.assertClose("log_x(exp_x(u)), c = " + c, back, u, 1e-9);
                double[] y = ballPoints(rng, c, 0.5 / Math.sqrt(c), R);
                double[] again = ball.expMap(xs, ball.logMap(xs, f64(m, y, R, D))).toDoubleArray();
                Close.assertClose("exp_x(log_x(y)), c = " + c, again, y, 1e-9);
            }
        }
    }

    @Test
    void expMapAtTheOriginEqualsTheGeneralMapAtZero() {
        PoincareBall ball = new PoincareBall(0.3);
        double[] u = gaussian(new Random(3), 1.0, R * D);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray us = f64(m, u, R, D);
            double[] at0 = ball.expMap0(us).toDoubleArray();
            Close.assertClose("exp_0(u) = exp_x(u) at x = 0", ball.expMap(us.zerosLike(), us).toDoubleArray(), at0, 1e-12);
            double[] expected = new double[R * D];
            for (int i = 0; i < R; i++) {
                System.arraycopy(BallReference.expMap0(row(u, D, i), 0.3), 0, expected, i * D, D);
            }
            Close.assertClose("exp_0 against the formula", at0, expected, 1e-12);
        }
    }

    @Test
    void mobiusAdditionMatchesTheFormulaAndCancelsFromTheLeft() {
        double c = 0.7;
        PoincareBall ball = new PoincareBall(c);
        Random rng = new Random(4);
        double[] x = ballPoints(rng, c, 1.0, R);
        double[] y = ballPoints(rng, c, 1.0, R);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray xs = f64(m, x, R, D);
            NDArray ys = f64(m, y, R, D);
            double[] expected = new double[R * D];
            for (int i = 0; i < R; i++) {
                System.arraycopy(BallReference.mobiusAdd(row(x, D, i), row(y, D, i), c), 0, expected, i * D, D);
            }
            Close.assertClose("x ⊕ y", ball.mobiusAdd(xs, ys).toDoubleArray(), expected, 1e-12);
            Close.assertClose("(−x) ⊕ (x ⊕ y) = y", ball.mobiusAdd(xs.neg(), ball.mobiusAdd(xs, ys)).toDoubleArray(), y,
                    1e-10);
            Close.assertClose("x ⊕ 0 = x", ball.mobiusAdd(xs, xs.zerosLike()).toDoubleArray(), x, 1e-15);
        }
    }

    @Test
    void distanceEqualsTheArcoshClosedForm() {
        double c = 0.4;
        PoincareBall ball = new PoincareBall(c);
        Random rng = new Random(5);
        double[] x = ballPoints(rng, c, 1.5, R);
        double[] y = ballPoints(rng, c, 1.5, R);
        double[] expected = new double[R];
        for (int i = 0; i < R; i++) {
            double[] a = row(x, D, i);
            double[] b = row(y, D, i);
            double diff2 = 0;
            for (int k = 0; k < D; k++) {
                diff2 += (a[k] - b[k]) * (a[k] - b[k]);
            }
            double arg = 1 + 2 * c * diff2 / ((1 - c * BallReference.dot(a, a)) * (1 - c * BallReference.dot(b, b)));
            expected[i] = Math.log(arg + Math.sqrt(arg * arg - 1)) / Math.sqrt(c);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            Close.assertClose("d_c(x, y)", ball.distance(f64(m, x, R, D), f64(m, y, R, D)).toDoubleArray(), expected,
                    1e-9);
        }
    }

    @Test
    void projectionPullsOutsidePointsToTheInnerRadiusAndKeepsInsidePoints() {
        double c = 0.1;
        PoincareBall ball = new PoincareBall(c);
        double limit = (1 - 1e-3) / Math.sqrt(c);
        double[] x = {10, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, -50};
        try (NDManager m = NDManager.newBaseManager()) {
            double[] got = ball.project(f64(m, x, 3, D)).toDoubleArray();
            Close.assertClose("projected", got, new double[] {limit, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, -limit}, 1e-14);
        }
    }

    @Test
    void nearBoundaryPointsKeepAFiniteDistanceAndGradient() {
        double c = 0.1;
        PoincareBall ball = new PoincareBall(c);
        double r = (1 - 1e-7) / Math.sqrt(c);
        for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray x = m.create(new double[] {r, 0, -r, 0}, new Shape(2, 2)).toType(type, false);
                x.setRequiresGradient(true);
                try (GradientCollector g = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                    NDArray d = ball.distance(x.get("0:1"), x.get("1:2")).sum();
                    g.backward(d);
                    Close.assertFinite("distance " + type, d.toType(DataType.FLOAT64, false).toDoubleArray());
                    // artanh is clamped at 1 − 1e-5: the distance is at most (2/√c)·artanh(1 − 1e-5).
                    assertThat(d.toType(DataType.FLOAT64, false).getDouble())
                            .isLessThanOrEqualTo(2 / Math.sqrt(c) * BallReference.atanh(1 - 1e-5) * (1 + 1e-6));
                }
                Close.assertFinite("gradient " + type, x.getGradient().toType(DataType.FLOAT64, false).toDoubleArray());
            }
        }
    }

    @Test
    void zeroTangentVectorMapsToTheOriginWithIdentitySlope() {
        PoincareBall ball = new PoincareBall(0.1);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray u = m.zeros(new Shape(1, 3), DataType.FLOAT64);
            u.setRequiresGradient(true);
            try (GradientCollector g = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                NDArray y = ball.expMap0(u);
                assertThat(y.toDoubleArray()).containsOnly(0.0);
                g.backward(y.sum());
            }
            Close.assertClose("d exp_0 / du at 0", u.getGradient().toDoubleArray(), new double[] {1, 1, 1}, 1e-12);
        }
    }

    @Test
    void asinhMatchesTheLogFormulaAndIsOdd() {
        double[] v = {-1e6, -30, -2, -0.5, -1e-9, 0, 1e-9, 0.5, 2, 30, 1e6};
        double[] expected = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            expected[i] = Math.abs(v[i]) < 1e-6 ? v[i] : BallReference.asinh(v[i]);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(v).toType(DataType.FLOAT64, false);
            x.setRequiresGradient(true);
            try (GradientCollector g = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                NDArray y = PoincareBall.asinh(x);
                Close.assertClose("asinh", y.toDoubleArray(), expected, 1e-12);
                g.backward(y.sum());
            }
            double[] slope = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                slope[i] = 1 / Math.sqrt(1 + v[i] * v[i]);
            }
            Close.assertClose("asinh' = 1/sqrt(1 + x²), 1 at 0", x.getGradient().toDoubleArray(), slope, 1e-12);
        }
    }

    @Test
    void rejectsANonPositiveCurvature() {
        assertThatThrownBy(() -> new PoincareBall(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("curvature");
    }
}

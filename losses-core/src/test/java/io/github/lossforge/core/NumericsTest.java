package io.github.lossforge.core;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.github.lossforge.core.testkit.Close;

import org.junit.jupiter.api.Test;

import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;

class NumericsTest {

    private static final double[] POINTS = {
        -0.999999, -0.9, -0.5, -0.3, -0.1, -0.05, -1e-3, -1e-9, -1e-300, 0, 1e-300, 1e-12, 1e-5,
        0.01, 0.0999, 0.1, 0.1001, 0.4, 0.5, 0.7, 3, 40, 1e6
    };

    private static void assertMatches(String name, UnaryOperator<NDArray> op, DoubleUnaryOperator exact,
            double[] points, double rel) {
        try (NDManager m = NDManager.newBaseManager()) {
            double[] got = op.apply(m.create(points)).toDoubleArray();
            double[] expected = new double[points.length];
            for (int i = 0; i < points.length; i++) {
                expected[i] = exact.applyAsDouble(points[i]);
            }
            for (int i = 0; i < points.length; i++) {
                Close.assertClose(name + "(" + points[i] + ")", new double[] {got[i]}, new double[] {expected[i]}, rel);
            }
        }
    }

    private static double[] gradientOf(UnaryOperator<NDArray> op, double[] points) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(points);
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(op.apply(x).sum());
            }
            return x.getGradient().toDoubleArray();
        }
    }

    @Test
    void log1pKeepsFullRelativePrecisionNearZero() {
        assertMatches("log1p", Numerics::log1p, Math::log1p, POINTS, 1e-14);
    }

    @Test
    void log1pGradientIsOneOverOnePlusX() {
        double[] pts = {-0.9, -0.2, -0.1, -1e-8, 0, 1e-8, 0.05, 0.1, 0.2, 5};
        double[] g = gradientOf(Numerics::log1p, pts);
        for (int i = 0; i < pts.length; i++) {
            Close.assertClose("d log1p at " + pts[i], new double[] {g[i]}, new double[] {1 / (1 + pts[i])}, 1e-13);
        }
    }

    @Test
    void expm1KeepsFullRelativePrecisionNearZero() {
        double[] pts = {-30, -3, -0.5, -0.49, -1e-7, -1e-300, 0, 1e-300, 1e-10, 0.3, 0.5, 0.51, 2, 40};
        assertMatches("expm1", Numerics::expm1, Math::expm1, pts, 1e-14);
        double[] g = gradientOf(Numerics::expm1, pts);
        for (int i = 0; i < pts.length; i++) {
            Close.assertClose("d expm1 at " + pts[i], new double[] {g[i]}, new double[] {Math.exp(pts[i])}, 1e-13);
        }
    }

    @Test
    void cappedExpm1ContinuesLinearlyBeyondTheCap() {
        double c = Numerics.EXP_CAP;
        double[] pts = {c - 1, c, c + 10, 1e6};
        try (NDManager m = NDManager.newBaseManager()) {
            double[] got = Numerics.cappedExpm1(m.create(pts)).toDoubleArray();
            assertThat(got[0]).isCloseTo(Math.expm1(c - 1), org.assertj.core.data.Percentage.withPercentage(1e-10));
            assertThat(got[2]).isCloseTo(Math.exp(c) * 11 - 1, org.assertj.core.data.Percentage.withPercentage(1e-10));
            Close.assertFinite("capped expm1", got);
            Close.assertFinite("capped expm1 in float32",
                    Numerics.cappedExpm1(m.create(pts).toType(DataType.FLOAT32, false))
                            .toType(DataType.FLOAT64, false).toDoubleArray());
        }
    }

    @Test
    void atanhMatchesItsDefinitionUpToTheEdges() {
        double[] pts = {-0.9999999, -0.9, -0.3, -1e-10, 0, 1e-12, 0.05, 0.5, 0.999999999};
        DoubleUnaryOperator exact = x -> 0.5 * (Math.log1p(x) - Math.log1p(-x));
        assertMatches("atanh", Numerics::atanh, exact, pts, 1e-12);
        try (NDManager m = NDManager.newBaseManager()) {
            double[] clamped = Numerics.clampedAtanh(m.create(new double[] {-1, 1, 2}), 1e-7).toDoubleArray();
            Close.assertFinite("clamped atanh at ±1", clamped);
        }
        Close.assertFinite("clamped atanh gradient at ±1",
                gradientOf(x -> Numerics.clampedAtanh(x, 1e-7), new double[] {-1, 1, 0.5}));
        Close.assertFinite("clamped acos gradient at ±1",
                gradientOf(x -> Numerics.clampedAcos(x, 1e-7), new double[] {-1, 1, 0.5}));
    }

    @Test
    void softplusIsStableAtBothEnds() {
        double[] pts = {-1e4, -800, -30, -1, 0, 1, 30, 800, 1e4};
        assertMatches("softplus", Numerics::softplus, x -> Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))), pts, 1e-14);
        Close.assertFinite("softplus gradient", gradientOf(Numerics::softplus, pts));
    }

    @Test
    void logSumExpIsExactAtExtremeLogitsWithSoftmaxGradient() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new double[] {1e4, -1e4, 1e4 - 1, 3}, new ai.djl.ndarray.types.Shape(2, 2));
            double[] lse = Numerics.logSumExp(x, 1).toDoubleArray();
            Close.assertClose("lse", lse,
                    new double[] {1e4, 1e4 - 1 + Math.log1p(Math.exp(-(1e4 - 4)))}, 1e-15);
            double[] lme = Numerics.logMeanExp(x, 0).toDoubleArray();
            Close.assertClose("log-mean-exp", lme,
                    new double[] {1e4 + Math.log1p(Math.exp(-1)) - Math.log(2), 3 - Math.log(2)}, 1e-14);
        }
        double[] g = gradientOf(x -> Numerics.logSumExp(x.reshape(1, 3), 1), new double[] {1, 2, 3});
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
        Close.assertClose("d lse", g, new double[] {Math.exp(1) / z, Math.exp(2) / z, Math.exp(3) / z}, 1e-14);
    }

    @Test
    void safeDivideGivesZeroWhereTheDenominatorIsZero() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(new double[] {1, 2, 3});
            NDArray b = m.create(new double[] {2, 0, -3});
            assertThat(Numerics.safeDivide(a, b).toDoubleArray()).containsExactly(0.5, 0, -1);
        }
        Close.assertFinite("safe divide gradient",
                gradientOf(x -> Numerics.safeDivide(x, x.sub(x.get(1).expandDims(0))), new double[] {1, 2, 3}));
    }
}

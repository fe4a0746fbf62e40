package io.github.lossforge.core.testkit;

import java.util.function.ToDoubleFunction;

/**
 * Five-point central finite differences: {@code f'(x) ≈ (−f(x+2h) + 8f(x+h) − 8f(x−h) + f(x−2h)) /
 * 12h}, truncation error O(h⁴). Used twice and independently: to differentiate a test's plain-Java
 * reference, and to check a loss's autograd gradient in float64.
 */
public final class Stencil {

    private Stencil() {}

    /**
     * The gradient of {@code f} at {@code x}.
     *
     * @param f the function of a flat parameter vector
     * @param x the point
     * @param relativeStep h as a fraction of max(1, |x_i|)
     * @return the gradient
     */
    public static double[] gradient(ToDoubleFunction<double[]> f, double[] x, double relativeStep) {
        double[] g = new double[x.length];
        double[] probe = x.clone();
        for (int i = 0; i < x.length; i++) {
            double h = relativeStep * Math.max(1.0, Math.abs(x[i]));
            double fp1 = at(f, probe, i, x[i] + h);
            double fm1 = at(f, probe, i, x[i] - h);
            double fp2 = at(f, probe, i, x[i] + 2 * h);
            double fm2 = at(f, probe, i, x[i] - 2 * h);
            probe[i] = x[i];
            g[i] = (-fp2 + 8 * fp1 - 8 * fm1 + fm2) / (12 * h);
        }
        return g;
    }

    private static double at(ToDoubleFunction<double[]> f, double[] probe, int i, double value) {
        probe[i] = value;
        return f.applyAsDouble(probe);
    }
}

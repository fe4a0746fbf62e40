package io.github.lossforge.core.scaling;

import java.util.Arrays;
import java.util.function.Function;

/**
 * Levenberg–Marquardt for small nonlinear least-squares problems (a handful of parameters, any
 * number of points), in float64 with a central-difference Jacobian. Shared by the scaling-law fits.
 */
final class LeastSquares {

    private static final int MAX_ITERATIONS = 2000;
    private static final double TOLERANCE = 1e-15;

    private LeastSquares() {}

    /**
     * Minimises ½‖r(θ)‖².
     *
     * @param residuals θ ↦ r(θ)
     * @param start the initial θ
     * @return the minimiser found
     */
    static double[] minimise(Function<double[], double[]> residuals, double[] start) {
        double[] theta = start.clone();
        double[] r = residuals.apply(theta);
        double cost = squaredNorm(r);
        double damping = 1e-3;
        int k = theta.length;
        for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
            double[][] jacobian = jacobian(residuals, theta, r.length);
            double[][] normal = new double[k][k];
            double[] gradient = new double[k];
            for (int a = 0; a < k; a++) {
                for (int b = 0; b < k; b++) {
                    double s = 0;
                    for (int i = 0; i < r.length; i++) {
                        s += jacobian[i][a] * jacobian[i][b];
                    }
                    normal[a][b] = s;
                }
                double g = 0;
                for (int i = 0; i < r.length; i++) {
                    g += jacobian[i][a] * r[i];
                }
                gradient[a] = g;
            }
            boolean improved = false;
            while (damping < 1e16) {
                double[][] damped = new double[k][];
                for (int a = 0; a < k; a++) {
                    damped[a] = normal[a].clone();
                    damped[a][a] += damping * Math.max(normal[a][a], 1e-12);
                }
                double[] step = solve(damped, negate(gradient));
                double[] candidate = new double[k];
                for (int a = 0; a < k; a++) {
                    candidate[a] = theta[a] + step[a];
                }
                double[] rc = residuals.apply(candidate);
                double candidateCost = squaredNorm(rc);
                if (Double.isFinite(candidateCost) && candidateCost < cost) {
                    double relative = (cost - candidateCost) / Math.max(cost, 1e-300);
                    theta = candidate;
                    r = rc;
                    cost = candidateCost;
                    damping = Math.max(damping / 3, 1e-12);
                    improved = true;
                    if (relative < TOLERANCE) {
                        return theta;
                    }
                    break;
                }
                damping *= 4;
            }
            if (!improved) {
                return theta;
            }
        }
        return theta;
    }

    private static double[][] jacobian(Function<double[], double[]> residuals, double[] theta, int n) {
        int k = theta.length;
        double[][] j = new double[n][k];
        for (int a = 0; a < k; a++) {
            double h = 1e-6 * Math.max(1, Math.abs(theta[a]));
            double[] plus = theta.clone();
            double[] minus = theta.clone();
            plus[a] += h;
            minus[a] -= h;
            double[] rp = residuals.apply(plus);
            double[] rm = residuals.apply(minus);
            for (int i = 0; i < n; i++) {
                j[i][a] = (rp[i] - rm[i]) / (2 * h);
            }
        }
        return j;
    }

    /** Solves A x = b by Gaussian elimination with partial pivoting. */
    static double[] solve(double[][] a, double[] b) {
        int n = b.length;
        double[][] m = new double[n][];
        for (int i = 0; i < n; i++) {
            m[i] = Arrays.copyOf(a[i], n + 1);
            m[i][n] = b[i];
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int row = col + 1; row < n; row++) {
                if (Math.abs(m[row][col]) > Math.abs(m[pivot][col])) {
                    pivot = row;
                }
            }
            double[] tmp = m[col];
            m[col] = m[pivot];
            m[pivot] = tmp;
            if (m[col][col] == 0) {
                continue;
            }
            for (int row = col + 1; row < n; row++) {
                double f = m[row][col] / m[col][col];
                for (int c = col; c <= n; c++) {
                    m[row][c] -= f * m[col][c];
                }
            }
        }
        double[] x = new double[n];
        for (int row = n - 1; row >= 0; row--) {
            double s = m[row][n];
            for (int c = row + 1; c < n; c++) {
                s -= m[row][c] * x[c];
            }
            x[row] = m[row][row] == 0 ? 0 : s / m[row][row];
        }
        return x;
    }

    static double squaredNorm(double[] r) {
        double s = 0;
        for (double v : r) {
            s += v * v;
        }
        return s;
    }

    private static double[] negate(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = -v[i];
        }
        return out;
    }

    /**
     * The percentile interval of bootstrap replicates, per parameter.
     *
     * @param replicates one row per replicate
     * @param level the coverage, e.g. 0.95
     * @return {lower[], upper[]}
     */
    static double[][] percentileInterval(double[][] replicates, double level) {
        int k = replicates[0].length;
        double[] lower = new double[k];
        double[] upper = new double[k];
        for (int a = 0; a < k; a++) {
            double[] column = new double[replicates.length];
            for (int b = 0; b < replicates.length; b++) {
                column[b] = replicates[b][a];
            }
            Arrays.sort(column);
            lower[a] = quantile(column, (1 - level) / 2);
            upper[a] = quantile(column, 1 - (1 - level) / 2);
        }
        return new double[][] {lower, upper};
    }

    private static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}

package io.github.lossforge.core.diagnostics;

/** The cyclic Jacobi eigen-decomposition of a small symmetric matrix, in float64, and the pseudo-inverse built on it. */
final class SymmetricEigen {

    private static final int MAX_SWEEPS = 100;

    private SymmetricEigen() {}

    /**
     * The Moore–Penrose pseudo-inverse of a symmetric positive semi-definite matrix: eigenvalues below
     * d·ε·λ_max (in magnitude) are treated as 0.
     *
     * @param matrix (d, d) symmetric
     * @return (d, d) pseudo-inverse
     */
    static double[][] pseudoInverse(double[][] matrix) {
        int d = matrix.length;
        double[][] a = new double[d][];
        for (int i = 0; i < d; i++) {
            a[i] = matrix[i].clone();
        }
        double[][] v = new double[d][d];
        for (int i = 0; i < d; i++) {
            v[i][i] = 1;
        }
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            double off = 0;
            for (int p = 0; p < d; p++) {
                for (int q = p + 1; q < d; q++) {
                    off += a[p][q] * a[p][q];
                }
            }
            if (off < 1e-300) {
                break;
            }
            for (int p = 0; p < d; p++) {
                for (int q = p + 1; q < d; q++) {
                    if (a[p][q] == 0) {
                        continue;
                    }
                    double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int k = 0; k < d; k++) {
                        double akp = a[k][p];
                        double akq = a[k][q];
                        a[k][p] = c * akp - s * akq;
                        a[k][q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < d; k++) {
                        double apk = a[p][k];
                        double aqk = a[q][k];
                        a[p][k] = c * apk - s * aqk;
                        a[q][k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < d; k++) {
                        double vkp = v[k][p];
                        double vkq = v[k][q];
                        v[k][p] = c * vkp - s * vkq;
                        v[k][q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        double largest = 0;
        for (int i = 0; i < d; i++) {
            largest = Math.max(largest, Math.abs(a[i][i]));
        }
        double cutoff = d * Math.ulp(1.0) * largest;
        double[][] inverse = new double[d][d];
        for (int k = 0; k < d; k++) {
            if (Math.abs(a[k][k]) <= cutoff) {
                continue;
            }
            double inv = 1 / a[k][k];
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    inverse[i][j] += v[i][k] * inv * v[j][k];
                }
            }
        }
        return inverse;
    }
}

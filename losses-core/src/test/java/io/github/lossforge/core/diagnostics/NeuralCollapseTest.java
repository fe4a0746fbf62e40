package io.github.lossforge.core.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;

import java.util.Random;

class NeuralCollapseTest {

    /** K simplex-ETF vertices in d = K dimensions: e_k − 1/K, scaled. */
    private static double[][] simplex(int k, double scale) {
        double[][] m = new double[k][k];
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
                m[a][b] = scale * ((a == b ? 1 : 0) - 1.0 / k);
            }
        }
        return m;
    }

    /**
     * NC1 computed without an eigen-decomposition: an orthonormal basis Q of the span of the centred
     * means (Gram–Schmidt), then tr(QᵀΣ_W Q (QᵀΣ_B Q)⁻¹)/K with the small inverse by Gauss–Jordan.
     */
    private static double nc1BySubspace(double[][] h, int[] y, int k) {
        int n = h.length;
        int d = h[0].length;
        double[][] mu = new double[k][d];
        int[] count = new int[k];
        double[] g = new double[d];
        for (int i = 0; i < n; i++) {
            count[y[i]]++;
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                mu[y[i]][j] += h[i][j] / count[y[i]];
                g[j] += h[i][j] / n;
            }
        }
        java.util.List<double[]> basis = new java.util.ArrayList<>();
        for (int c = 0; c < k; c++) {
            double[] v = new double[d];
            for (int j = 0; j < d; j++) {
                v[j] = mu[c][j] - g[j];
            }
            for (double[] q : basis) {
                double dot = 0;
                for (int j = 0; j < d; j++) {
                    dot += v[j] * q[j];
                }
                for (int j = 0; j < d; j++) {
                    v[j] -= dot * q[j];
                }
            }
            double norm = 0;
            for (double x : v) {
                norm += x * x;
            }
            norm = Math.sqrt(norm);
            if (norm > 1e-9) {
                for (int j = 0; j < d; j++) {
                    v[j] /= norm;
                }
                basis.add(v);
            }
        }
        int r = basis.size();
        double[][] sw = new double[r][r];
        double[][] sb = new double[r][r];
        for (int i = 0; i < n; i++) {
            double[] p = new double[r];
            for (int a = 0; a < r; a++) {
                for (int j = 0; j < d; j++) {
                    p[a] += (h[i][j] - mu[y[i]][j]) * basis.get(a)[j];
                }
            }
            for (int a = 0; a < r; a++) {
                for (int b = 0; b < r; b++) {
                    sw[a][b] += p[a] * p[b] / n;
                }
            }
        }
        for (int c = 0; c < k; c++) {
            double[] p = new double[r];
            for (int a = 0; a < r; a++) {
                for (int j = 0; j < d; j++) {
                    p[a] += (mu[c][j] - g[j]) * basis.get(a)[j];
                }
            }
            for (int a = 0; a < r; a++) {
                for (int b = 0; b < r; b++) {
                    sb[a][b] += p[a] * p[b] / k;
                }
            }
        }
        double[][] inv = invert(sb);
        double trace = 0;
        for (int a = 0; a < r; a++) {
            for (int b = 0; b < r; b++) {
                trace += sw[a][b] * inv[b][a];
            }
        }
        return trace / k;
    }

    private static double[][] invert(double[][] m) {
        int n = m.length;
        double[][] a = new double[n][2 * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(m[i], 0, a[i], 0, n);
            a[i][n + i] = 1;
        }
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(a[r][c]) > Math.abs(a[p][c])) {
                    p = r;
                }
            }
            double[] t = a[c];
            a[c] = a[p];
            a[p] = t;
            double pivot = a[c][c];
            for (int j = 0; j < 2 * n; j++) {
                a[c][j] /= pivot;
            }
            for (int r = 0; r < n; r++) {
                if (r != c) {
                    double f = a[r][c];
                    for (int j = 0; j < 2 * n; j++) {
                        a[r][j] -= f * a[c][j];
                    }
                }
            }
        }
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], n, out[i], 0, n);
        }
        return out;
    }

    @Test
    void perfectlyCollapsedFeaturesScoreZeroOnEveryMetric() {
        int k = 4;
        double[][] etf = simplex(k, 3);
        double[][] h = new double[12][];
        int[] y = new int[12];
        for (int i = 0; i < 12; i++) {
            y[i] = i % k;
            h[i] = etf[y[i]].clone();
        }
        NeuralCollapse nc = NeuralCollapse.of(h, y, simplex(k, 0.5), null);
        assertThat(nc.nc1()).isCloseTo(0, offset(1e-12));
        assertThat(nc.nc2Classifier()).isCloseTo(0, offset(1e-12));
        assertThat(nc.nc2Means()).isCloseTo(0, offset(1e-12));
        assertThat(nc.nc3()).isCloseTo(0, offset(1e-12));
        assertThat(nc.nc4()).isEqualTo(0);
        assertThat(nc.equinorm()).isCloseTo(0, offset(1e-12));
        assertThat(nc.equiangularity()).isCloseTo(0, offset(1e-12));
        assertThat(nc.maxAngle()).isCloseTo(0, offset(1e-12));
    }

    @Test
    void nc1MatchesAnIndependentSubspaceComputationWithImbalancedClasses() {
        Random rng = new Random(3);
        int k = 5;
        int d = 9;
        int[] counts = {30, 12, 5, 3, 20};
        int n = 70;
        double[][] centres = new double[k][d];
        for (double[] c : centres) {
            for (int j = 0; j < d; j++) {
                c[j] = 2 * rng.nextGaussian();
            }
        }
        double[][] h = new double[n][d];
        int[] y = new int[n];
        int at = 0;
        for (int c = 0; c < k; c++) {
            for (int i = 0; i < counts[c]; i++, at++) {
                y[at] = c;
                for (int j = 0; j < d; j++) {
                    h[at][j] = centres[c][j] + 0.7 * rng.nextGaussian();
                }
            }
        }
        double[][] w = new double[k][d];
        for (double[] row : w) {
            for (int j = 0; j < d; j++) {
                row[j] = rng.nextGaussian();
            }
        }
        NeuralCollapse nc = NeuralCollapse.of(h, y, w, null);
        assertThat(nc.nc1()).isCloseTo(nc1BySubspace(h, y, k), offset(1e-9 * nc1BySubspace(h, y, k)));
        assertThat(nc.nc1()).isGreaterThan(0);
        assertThat(nc.nc4()).isBetween(0.0, 1.0);
    }

    @Test
    void orthogonalClassifierIsZeroAgainstTheOrthogonalFrameNotTheEtf() {
        double[][] identity = new double[3][3];
        for (int i = 0; i < 3; i++) {
            identity[i][i] = 2;
        }
        double[][] h = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 0.1, 0}};
        NeuralCollapse nc = NeuralCollapse.of(h, new int[] {0, 1, 2, 0}, identity, null);
        assertThat(nc.nc2ClassifierOrthogonal()).isCloseTo(0, offset(1e-12));
        assertThat(nc.nc2Classifier()).isGreaterThan(0.1);
    }

    @Test
    void engineArraysGiveTheSameMetricsAsHostArrays() {
        Random rng = new Random(5);
        double[][] h = new double[10][3];
        int[] y = new int[10];
        double[] flat = new double[30];
        long[] labels = new long[10];
        for (int i = 0; i < 10; i++) {
            y[i] = i % 3;
            labels[i] = y[i];
            for (int j = 0; j < 3; j++) {
                h[i][j] = rng.nextGaussian() + y[i];
                flat[i * 3 + j] = h[i][j];
            }
        }
        double[][] w = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        double[] wFlat = {1, 0, 0, 0, 1, 0, 0, 0, 1};
        double[] b = {0.1, -0.2, 0};
        NeuralCollapse host = NeuralCollapse.of(h, y, w, b);
        try (NDManager m = NDManager.newBaseManager()) {
            NeuralCollapse engine = NeuralCollapse.of(m.create(flat, new Shape(10, 3)).toType(ai.djl.ndarray.types.DataType.FLOAT32, false),
                    m.create(labels), m.create(wFlat, new Shape(3, 3)), m.create(b));
            assertThat(engine.nc1()).isCloseTo(host.nc1(), offset(1e-5));
            assertThat(engine.nc3()).isCloseTo(host.nc3(), offset(1e-5));
            assertThat(engine.nc4()).isEqualTo(host.nc4());
        }
    }

    @Test
    void imbalancedGeometryRootsSolveTheirEquationAndMinorityClassesCollapse() {
        int m = 3;
        double lambdaW = 5e-3;
        double lambdaH = 5e-3;
        int[] counts = {500, 500, 100, 1};
        NeuralCollapse.ImbalancedGeometry g = NeuralCollapse.imbalancedGeometry(m, lambdaW, lambdaH, counts);
        long n = 1101;
        double b = m * n * Math.pow(n * Math.pow(lambdaW, m) * lambdaH, 1.0 / m);
        for (int k = 0; k < 3; k++) {
            assertThat(g.s()[k]).isGreaterThan(0);
            double x = Math.pow(Math.pow(g.s()[k], 2 * m) / (n * lambdaH), 1.0 / m);
            double rhs = m * Math.pow(x, m - 1) / Math.pow(Math.pow(x, m) + 1, 2);
            assertThat(rhs).isCloseTo(b / counts[k], offset(1e-9 * b / counts[k]));
            // the largest root: beyond the peak of the curve
            assertThat(Math.pow(x, m)).isGreaterThanOrEqualTo((m - 1.0) / (m + 1.0));
        }
        assertThat(g.s()[0]).isEqualTo(g.s()[1]);
        assertThat(g.s()[2]).isLessThan(g.s()[0]);
        assertThat(g.s()[3]).as("a class of one sample collapses").isEqualTo(0);
        assertThat(g.classifierGram()[0]).isGreaterThan(g.classifierGram()[2]);
        assertThat(g.classifierTimesMeans()[3]).isEqualTo(0);
    }

    @Test
    void rejectsInconsistentInputs() {
        double[][] h = {{1, 0}, {0, 1}};
        assertThatThrownBy(() -> NeuralCollapse.of(h, new int[] {0}, new double[][] {{1, 0}, {0, 1}}, null))
                .hasMessageContaining("labels");
        assertThatThrownBy(() -> NeuralCollapse.of(h, new int[] {0, 0}, new double[][] {{1, 0}, {0, 1}}, null))
                .hasMessageContaining("class 1 has no samples");
        assertThatThrownBy(() -> NeuralCollapse.of(h, new int[] {0, 1}, new double[][] {{1, 0, 0}, {0, 1, 0}}, null))
                .hasMessageContaining("feature size");
        assertThatThrownBy(() -> NeuralCollapse.imbalancedGeometry(0, 1, 1, new int[] {1, 2})).hasMessageContaining("depth");
    }
}

package io.github.lossforge.core.diagnostics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

import org.jspecify.annotations.Nullable;

/**
 * Neural-collapse diagnostics of a classifier's last-layer features, in float64 on the host (no
 * gradient): within-class variability collapse (NC1), convergence of the class means and of the
 * classifier to a simplex equiangular tight frame (NC2), self-duality of classifier and means (NC3)
 * and agreement with the nearest-class-mean rule (NC4), in the forms of Papyan, Han, Donoho (2020) as
 * computed by the code of Dang et al.
 *
 * <ul>
 *   <li>NC1 \( = \mathrm{tr}(\Sigma_W \Sigma_B^\dagger)/K \), \( \Sigma_W = \frac{1}{N}\sum_i (h_i -
 *       \mu_{y_i})(h_i - \mu_{y_i})^\top \), \( \Sigma_B = \frac{1}{K}\sum_k (\mu_k - \mu_G)(\mu_k -
 *       \mu_G)^\top \), μ_G the mean over samples (not over class means), † the pseudo-inverse (Σ_B has
 *       rank ≤ K − 1), by a symmetric eigen-decomposition with eigenvalues below d·ε·λ_max dropped;
 *   <li>NC2 \( = \|A/\|A\|_F - (I - \mathbf{1}\mathbf{1}^\top/K)/\sqrt{K-1}\|_F \) with A = W Wᵀ
 *       ({@link #nc2Classifier}) or \( \bar M \bar M^\top \) of the centred means ({@link #nc2Means});
 *       the bias-free, orthogonal-frame geometry compares to I/√K instead ({@link #nc2ClassifierOrthogonal});
 *       Papyan's equinorm and equiangularity statistics are {@link #equinorm}, {@link #equiangularity}
 *       and {@link #maxAngle};
 *   <li>NC3 \( = \|W/\|W\|_F - \bar M/\|\bar M\|_F\|_F \);
 *   <li>NC4 = the fraction of samples where argmax(W h + b) differs from the nearest class mean.
 * </ul>
 *
 * <p>For a deep linear head, pass the product W_M⋯W_1 as W. {@link #imbalancedGeometry} gives the
 * predicted geometry of the imbalanced, bias-free deep linear UFM (Dang et al., Thm. for MSE).
 *
 * <p>Papers: Vardan Papyan, X.Y. Han, David L. Donoho, "Prevalence of neural collapse during the
 * terminal phase of deep learning training", PNAS 2020, arXiv 2008.08186; Hien Dang et al., "Neural
 * Collapse in Deep Linear Networks: From Balanced to Imbalanced Data", ICML 2023, arXiv 2301.00437
 * (code Fsoft-AIC/Neural-Collapse-in-Deep-Linear-Networks, {@code validate_NC.py}).
 */
public final class NeuralCollapse {

    private final int classes;
    private final double[][] features;
    private final int[] labels;
    private final double[][] classifier;
    private final double @Nullable [] bias;
    private final double[][] means;
    private final double[] globalMean;

    private NeuralCollapse(double[][] features, int[] labels, double[][] classifier, double @Nullable [] bias) {
        if (features.length == 0 || features.length != labels.length) {
            throw new IllegalArgumentException("NeuralCollapse: " + features.length + " feature rows and "
                    + labels.length + " labels, expected the same number ≥ 1");
        }
        int d = features[0].length;
        int k = classifier.length;
        if (k < 2) {
            throw new IllegalArgumentException("NeuralCollapse: the classifier has " + k + " rows, expected K ≥ 2 classes");
        }
        for (double[] w : classifier) {
            if (w.length != d) {
                throw new IllegalArgumentException("NeuralCollapse: classifier rows have " + w.length
                        + " columns, expected the feature size " + d);
            }
        }
        if (bias != null && bias.length != k) {
            throw new IllegalArgumentException("NeuralCollapse: bias has " + bias.length + " entries, expected " + k);
        }
        int[] counts = new int[k];
        for (int y : labels) {
            if (y < 0 || y >= k) {
                throw new IllegalArgumentException("NeuralCollapse: label " + y + ", expected classes in [0, " + k + ")");
            }
            counts[y]++;
        }
        for (int c = 0; c < k; c++) {
            if (counts[c] == 0) {
                throw new IllegalArgumentException("NeuralCollapse: class " + c + " has no samples, expected every class present");
            }
        }
        this.classes = k;
        this.features = features;
        this.labels = labels;
        this.classifier = classifier;
        this.bias = bias;
        this.means = new double[k][d];
        this.globalMean = new double[d];
        for (int i = 0; i < features.length; i++) {
            if (features[i].length != d) {
                throw new IllegalArgumentException("NeuralCollapse: feature row " + i + " has " + features[i].length
                        + " entries, expected " + d);
            }
            for (int j = 0; j < d; j++) {
                means[labels[i]][j] += features[i][j] / counts[labels[i]];
                globalMean[j] += features[i][j] / features.length;
            }
        }
    }

    /**
     * The diagnostics of host data.
     *
     * @param features H (N, d)
     * @param labels y (N), classes in [0, K), every class present
     * @param classifier W (K, d)
     * @param bias b (K), or null
     * @return the diagnostics
     */
    public static NeuralCollapse of(
            double[][] features, int[] labels, double[][] classifier, double @Nullable [] bias) {
        return new NeuralCollapse(copy(features), labels.clone(), copy(classifier), bias == null ? null : bias.clone());
    }

    /**
     * The diagnostics of engine arrays (read to the host in float64).
     *
     * @param features H (N, d), floating
     * @param labels y (N), integer
     * @param classifier W (K, d), floating
     * @param bias b (K), or null
     * @return the diagnostics
     */
    public static NeuralCollapse of(
            NDArray features, NDArray labels, NDArray classifier, @Nullable NDArray bias) {
        if (features.getShape().dimension() != 2 || classifier.getShape().dimension() != 2
                || labels.getShape().dimension() != 1) {
            throw new IllegalArgumentException("NeuralCollapse: got features " + features.getShape() + ", labels "
                    + labels.getShape() + ", classifier " + classifier.getShape() + "; expected (N, d), (N), (K, d)");
        }
        long[] y = labels.toType(DataType.INT64, false).toLongArray();
        int[] ints = new int[y.length];
        for (int i = 0; i < y.length; i++) {
            ints[i] = Math.toIntExact(y[i]);
        }
        return new NeuralCollapse(rows(features), ints, rows(classifier),
                bias == null ? null : bias.toType(DataType.FLOAT64, false).toDoubleArray());
    }

    private static double[][] rows(NDArray a) {
        int n = (int) a.getShape().get(0);
        int d = (int) a.getShape().get(1);
        double[] flat = a.toType(DataType.FLOAT64, false).toDoubleArray();
        double[][] r = new double[n][d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * d, r[i], 0, d);
        }
        return r;
    }

    /**
     * NC1 = tr(Σ_W Σ_B†)/K.
     *
     * @return NC1 (0 at full collapse)
     */
    public double nc1() {
        int d = globalMean.length;
        double[][] within = new double[d][d];
        for (int i = 0; i < features.length; i++) {
            double[] diff = minus(features[i], means[labels[i]]);
            addOuter(within, diff, diff, 1.0 / features.length);
        }
        double[][] between = new double[d][d];
        for (double[] mean : means) {
            double[] diff = minus(mean, globalMean);
            addOuter(between, diff, diff, 1.0 / classes);
        }
        double[][] pinv = SymmetricEigen.pseudoInverse(between);
        double trace = 0;
        for (int a = 0; a < d; a++) {
            for (int b = 0; b < d; b++) {
                trace += within[a][b] * pinv[b][a];
            }
        }
        return trace / classes;
    }

    /**
     * NC2 of the classifier against the simplex ETF.
     *
     * @return ‖WWᵀ/‖WWᵀ‖_F − (I − 11ᵀ/K)/√(K−1)‖_F
     */
    public double nc2Classifier() {
        return distanceToEtf(gram(classifier));
    }

    /**
     * NC2 of the classifier against the orthogonal frame I/√K (the bias-free balanced geometry).
     *
     * @return ‖WWᵀ/‖WWᵀ‖_F − I/√K‖_F
     */
    public double nc2ClassifierOrthogonal() {
        double[][] a = normalised(gram(classifier));
        double s = 0;
        for (int i = 0; i < classes; i++) {
            for (int j = 0; j < classes; j++) {
                double t = a[i][j] - (i == j ? 1 / Math.sqrt(classes) : 0);
                s += t * t;
            }
        }
        return Math.sqrt(s);
    }

    /**
     * NC2 of the centred class means against the simplex ETF.
     *
     * @return ‖M̄M̄ᵀ/‖M̄M̄ᵀ‖_F − (I − 11ᵀ/K)/√(K−1)‖_F
     */
    public double nc2Means() {
        return distanceToEtf(gram(centredMeans()));
    }

    /**
     * Papyan's equinorm statistic: std/mean of the centred class-mean norms ‖μ_k − μ_G‖.
     *
     * @return the coefficient of variation (population std)
     */
    public double equinorm() {
        double[] norms = new double[classes];
        for (int c = 0; c < classes; c++) {
            norms[c] = norm(minus(means[c], globalMean));
        }
        return std(norms) / mean(norms);
    }

    /**
     * Papyan's equiangularity statistic: the std of the cosines between distinct centred class means.
     *
     * @return the population std of the off-diagonal cosines
     */
    public double equiangularity() {
        return std(offDiagonalCosines());
    }

    /**
     * Papyan's max-angle statistic: mean |cos + 1/(K − 1)| over distinct pairs of centred means.
     *
     * @return the mean deviation from the simplex angle
     */
    public double maxAngle() {
        double[] cos = offDiagonalCosines();
        double s = 0;
        for (double c : cos) {
            s += Math.abs(c + 1.0 / (classes - 1));
        }
        return s / cos.length;
    }

    /**
     * NC3: distance between the normalised classifier and the normalised centred means.
     *
     * @return ‖W/‖W‖_F − M̄/‖M̄‖_F‖_F
     */
    public double nc3() {
        double[][] m = centredMeans();
        double wNorm = frobenius(classifier);
        double mNorm = frobenius(m);
        double s = 0;
        for (int c = 0; c < classes; c++) {
            for (int j = 0; j < m[c].length; j++) {
                double t = classifier[c][j] / wNorm - m[c][j] / mNorm;
                s += t * t;
            }
        }
        return Math.sqrt(s);
    }

    /**
     * NC4: how often the classifier disagrees with the nearest-class-mean rule.
     *
     * @return the fraction of samples in [0, 1]
     */
    public double nc4() {
        int disagree = 0;
        for (double[] h : features) {
            int byClassifier = 0;
            double best = Double.NEGATIVE_INFINITY;
            int byMean = 0;
            double nearest = Double.POSITIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                double score = dot(classifier[c], h) + (bias == null ? 0 : bias[c]);
                if (score > best) {
                    best = score;
                    byClassifier = c;
                }
                double dist = norm(minus(h, means[c]));
                if (dist < nearest) {
                    nearest = dist;
                    byMean = c;
                }
            }
            disagree += byClassifier == byMean ? 0 : 1;
        }
        return (double) disagree / features.length;
    }

    /**
     * The class means μ_k.
     *
     * @return (K, d), a copy
     */
    public double[][] classMeans() {
        return copy(means);
    }

    /**
     * The predicted geometry of the bias-free deep linear unconstrained-features model trained with
     * MSE on imbalanced classes (Dang et al. 2023): the minimiser has orthogonal class directions with
     * lengths set by s_k, where \( s_k = (N\lambda_H x_k^M)^{1/(2M)} \) and x_k is the largest root of \(
     * b/n_k = M x^{M-1}/(x^M + 1)^2 \), \( b = M N (N \lambda_W^M \lambda_H)^{1/M} \); s_k = 0 when there
     * is no root (minority collapse).
     *
     * @param depth M ≥ 1, the number of linear layers of the head
     * @param lambdaW λ_W &gt; 0, the weight decay of every head layer
     * @param lambdaH λ_H &gt; 0, the feature decay
     * @param classCounts n_k &gt; 0 per class
     * @return the geometry
     */
    public static ImbalancedGeometry imbalancedGeometry(int depth, double lambdaW, double lambdaH, int[] classCounts) {
        if (depth < 1 || !(lambdaW > 0) || !(lambdaH > 0) || classCounts.length < 2) {
            throw new IllegalArgumentException("NeuralCollapse: imbalanced geometry needs depth ≥ 1, λ_W > 0, λ_H > 0"
                    + " and K ≥ 2 class counts, got depth=" + depth + ", λ_W=" + lambdaW + ", λ_H=" + lambdaH
                    + ", K=" + classCounts.length);
        }
        long n = 0;
        for (int c : classCounts) {
            if (c <= 0) {
                throw new IllegalArgumentException("NeuralCollapse: class counts must be > 0, got " + c);
            }
            n += c;
        }
        double b = depth * n * Math.exp(Math.log(n * Math.exp(depth * Math.log(lambdaW)) * lambdaH) / depth);
        double[] s = new double[classCounts.length];
        for (int k = 0; k < s.length; k++) {
            double x = largestRoot(depth, b / classCounts[k]);
            s[k] = x == 0 ? 0 : Math.exp(Math.log(n * lambdaH * Math.exp(depth * Math.log(x))) / (2 * depth));
        }
        return new ImbalancedGeometry(depth, n, lambdaH, s);
    }

    /** The largest x > 0 with M x^{M−1}/(x^M + 1)² = c, or 0 when there is none. */
    static double largestRoot(int m, double c) {
        double peak = m == 1 ? 0 : Math.exp(Math.log((m - 1.0) / (m + 1.0)) / m);
        if (!(c <= curve(m, peak))) {
            return 0;
        }
        double lo = peak;
        double hi = Math.max(1, 2 * peak);
        while (curve(m, hi) > c) {
            hi *= 2;
        }
        for (int i = 0; i < 200; i++) {
            double mid = 0.5 * (lo + hi);
            if (curve(m, mid) > c) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return 0.5 * (lo + hi);
    }

    private static double curve(int m, double x) {
        double xm = Math.exp(m * Math.log(x));
        double xm1 = m == 1 ? 1 : Math.exp((m - 1) * Math.log(x));
        return m * xm1 / ((xm + 1) * (xm + 1));
    }

    /**
     * The predicted imbalanced geometry: per class s_k and the diagonals the Gram matrices are
     * proportional to.
     *
     * @param depth M
     * @param samples N
     * @param lambdaH λ_H
     * @param s s_k per class (0 = collapsed minority class)
     */
    public record ImbalancedGeometry(int depth, long samples, double lambdaH, double[] s) {

        /**
         * The diagonal W Wᵀ is proportional to: \( s_k^{2M} \).
         *
         * @return per class
         */
        public double[] classifierGram() {
            double[] v = new double[s.length];
            for (int k = 0; k < s.length; k++) {
                v[k] = Math.pow(s[k], 2.0 * depth);
            }
            return v;
        }

        /**
         * The diagonal H̄ᵀH̄ is proportional to: \( s_k^{2M}/(s_k^{2M} + N\lambda_H)^2 \).
         *
         * @return per class
         */
        public double[] meanGram() {
            double[] g = classifierGram();
            double[] v = new double[s.length];
            for (int k = 0; k < s.length; k++) {
                v[k] = g[k] / ((g[k] + samples * lambdaH) * (g[k] + samples * lambdaH));
            }
            return v;
        }

        /**
         * The diagonal W H̄ is proportional to: \( s_k^{2M}/(s_k^{2M} + N\lambda_H) \).
         *
         * @return per class
         */
        public double[] classifierTimesMeans() {
            double[] g = classifierGram();
            double[] v = new double[s.length];
            for (int k = 0; k < s.length; k++) {
                v[k] = g[k] / (g[k] + samples * lambdaH);
            }
            return v;
        }
    }

    private double[][] centredMeans() {
        double[][] m = new double[classes][];
        for (int c = 0; c < classes; c++) {
            m[c] = minus(means[c], globalMean);
        }
        return m;
    }

    private double[] offDiagonalCosines() {
        double[][] m = centredMeans();
        double[] cos = new double[classes * (classes - 1)];
        int at = 0;
        for (int a = 0; a < classes; a++) {
            for (int b = 0; b < classes; b++) {
                if (a != b) {
                    cos[at++] = dot(m[a], m[b]) / (norm(m[a]) * norm(m[b]));
                }
            }
        }
        return cos;
    }

    private double distanceToEtf(double[][] gram) {
        double[][] a = normalised(gram);
        double s = 0;
        for (int i = 0; i < classes; i++) {
            for (int j = 0; j < classes; j++) {
                double etf = ((i == j ? 1 : 0) - 1.0 / classes) / Math.sqrt(classes - 1);
                double t = a[i][j] - etf;
                s += t * t;
            }
        }
        return Math.sqrt(s);
    }

    private static double[][] gram(double[][] rows) {
        double[][] g = new double[rows.length][rows.length];
        for (int a = 0; a < rows.length; a++) {
            for (int b = 0; b < rows.length; b++) {
                g[a][b] = dot(rows[a], rows[b]);
            }
        }
        return g;
    }

    private static double[][] normalised(double[][] m) {
        double f = frobenius(m);
        double[][] out = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            out[i] = new double[m[i].length];
            for (int j = 0; j < m[i].length; j++) {
                out[i][j] = m[i][j] / f;
            }
        }
        return out;
    }

    private static double frobenius(double[][] m) {
        double s = 0;
        for (double[] r : m) {
            for (double v : r) {
                s += v * v;
            }
        }
        return Math.sqrt(s);
    }

    private static void addOuter(double[][] into, double[] u, double[] v, double scale) {
        for (int a = 0; a < u.length; a++) {
            for (int b = 0; b < v.length; b++) {
                into[a][b] += scale * u[a] * v[b];
            }
        }
    }

    private static double[] minus(double[] u, double[] v) {
        double[] out = new double[u.length];
        for (int i = 0; i < u.length; i++) {
            out[i] = u[i] - v[i];
        }
        return out;
    }

    private static double dot(double[] u, double[] v) {
        double s = 0;
        for (int i = 0; i < u.length; i++) {
            s += u[i] * v[i];
        }
        return s;
    }

    private static double norm(double[] u) {
        return Math.sqrt(dot(u, u));
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double std(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / v.length);
    }

    private static double[][] copy(double[][] m) {
        double[][] out = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            out[i] = m[i].clone();
        }
        return out;
    }
}

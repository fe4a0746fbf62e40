package io.github.lossforge.core.calibration;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.github.lossforge.core.Scalar;

import java.util.Arrays;

/**
 * Platt scaling fitted by Newton's method: for each class, the sigmoid p(y = 1 | f) = 1 / (1 + exp(A f
 * + B)) that minimises the {@link PlattLoss} negative log-likelihood of held-out scores f against
 * Platt's smoothed targets t₊ = (N₊ + 1)/(N₊ + 2), t₋ = 1/(N₋ + 2). This is the calibration step of
 * Generalized Funnelling (libsvm's {@code probability=True}); multi-label problems are calibrated one
 * vs rest, one (A, B) per class.
 *
 * <p>The fit is the algorithm of Lin, Lin and Weng ("A note on Platt's probabilistic outputs for
 * support vector machines", 2007): start at A = 0, B = log((N₋ + 1)/(N₊ + 1)), Newton steps on the
 * 2×2 Hessian with 1e-12 added to its diagonal, a backtracking line search with the Armijo constant
 * 1e-4, and the log-likelihood evaluated in its overflow-free form. It stops when both gradient
 * components are below 1e-10 · max(1, N) or after 100 iterations (the problem is convex, so a zero
 * gradient is the global optimum). It runs in plain double precision on the host, without autograd.
 *
 * <p>Fit on held-out or cross-validated scores: scores the classifier was trained on are
 * over-confident and give a too-steep sigmoid.
 */
public final class PlattScaler {

    private static final int MAX_ITERATIONS = 100;
    private static final double MIN_STEP = 1e-10;
    private static final double HESSIAN_RIDGE = 1e-12;
    private static final double ARMIJO = 1e-4;
    private static final double GRADIENT_TOLERANCE = 1e-10;

    private final double[] a;
    private final double[] b;

    private PlattScaler(double[] a, double[] b) {
        this.a = a;
        this.b = b;
    }

    /**
     * Fits one sigmoid.
     *
     * @param scores the held-out scores f (N), finite
     * @param labels 0/1 labels (N)
     * @return the scaler with one class
     * @throws IllegalArgumentException for mismatched lengths, no scores, non-finite scores or labels
     *     other than 0 and 1
     */
    public static PlattScaler fit(double[] scores, double[] labels) {
        double[] ab = fitOne(scores, labels, "");
        return new PlattScaler(new double[] {ab[0]}, new double[] {ab[1]});
    }

    /**
     * Fits one sigmoid per class (one vs rest).
     *
     * @param scores held-out scores, (N) rows of C values
     * @param labels 0/1 labels, same layout
     * @return the scaler with C classes
     * @throws IllegalArgumentException for ragged or mismatched arrays and bad values
     */
    public static PlattScaler fitPerClass(double[][] scores, double[][] labels) {
        if (scores.length == 0 || scores.length != labels.length) {
            throw new IllegalArgumentException("platt: got " + scores.length + " score rows and " + labels.length
                    + " label rows, expected the same number (at least 1)");
        }
        int classes = scores[0].length;
        double[] a = new double[classes];
        double[] b = new double[classes];
        for (int c = 0; c < classes; c++) {
            double[] f = new double[scores.length];
            double[] y = new double[scores.length];
            for (int i = 0; i < scores.length; i++) {
                if (scores[i].length != classes || labels[i].length != classes) {
                    throw new IllegalArgumentException("platt: row " + i + " has " + scores[i].length
                            + " scores and " + labels[i].length + " labels, expected " + classes + " of each");
                }
                f[i] = scores[i][c];
                y[i] = labels[i][c];
            }
            double[] ab = fitOne(f, y, " of class " + c);
            a[c] = ab[0];
            b[c] = ab[1];
        }
        return new PlattScaler(a, b);
    }

    /**
     * Fits from arrays: scores (N) give one sigmoid, scores (N, C) one per class.
     *
     * @param scores held-out scores (N) or (N, C)
     * @param labels 0/1 labels of the same shape, any numeric dtype
     * @return the scaler
     */
    public static PlattScaler fit(NDArray scores, NDArray labels) {
        Shape shape = scores.getShape();
        if (!shape.equals(labels.getShape()) || shape.dimension() < 1 || shape.dimension() > 2) {
            throw new IllegalArgumentException("platt: scores " + shape + " and labels " + labels.getShape()
                    + " must have the same shape, (N) or (N, C)");
        }
        double[] f = scores.toType(DataType.FLOAT64, false).toDoubleArray();
        double[] y = labels.toType(DataType.FLOAT64, false).toDoubleArray();
        if (shape.dimension() == 1) {
            return fit(f, y);
        }
        int n = (int) shape.get(0);
        int c = (int) shape.get(1);
        double[][] fs = new double[n][];
        double[][] ys = new double[n][];
        for (int i = 0; i < n; i++) {
            fs[i] = Arrays.copyOfRange(f, i * c, (i + 1) * c);
            ys[i] = Arrays.copyOfRange(y, i * c, (i + 1) * c);
        }
        return fitPerClass(fs, ys);
    }

    /**
     * The number of fitted sigmoids.
     *
     * @return 1 for a single fit, C for a per-class fit
     */
    public int classes() {
        return a.length;
    }

    /**
     * The slope A of a class (negative when higher scores mean more likely positive).
     *
     * @param cls the class
     * @return A
     */
    public double a(int cls) {
        return a[cls];
    }

    /**
     * The offset B of a class.
     *
     * @param cls the class
     * @return B
     */
    public double b(int cls) {
        return b[cls];
    }

    /**
     * The calibrated probability of one score.
     *
     * @param score the score f
     * @param cls the class
     * @return 1 / (1 + exp(A f + B))
     */
    public double probability(double score, int cls) {
        double z = a[cls] * score + b[cls];
        return z >= 0 ? Math.exp(-z) / (1 + Math.exp(-z)) : 1 / (1 + Math.exp(z));
    }

    /**
     * The calibrated logits s = −(A f + B) of scores, the input of {@link PlattLoss}; σ(s) is the
     * probability. For (N, C) scores class c uses its own (A, B); for (N) scores the scaler has one class.
     *
     * @param scores (N) or (N, C) scores
     * @return calibrated logits, same shape and dtype
     */
    public NDArray calibratedLogits(NDArray scores) {
        Shape shape = scores.getShape();
        long width = shape.dimension() == 2 ? shape.get(1) : 1;
        if (shape.dimension() < 1 || shape.dimension() > 2 || width != a.length) {
            throw new IllegalArgumentException("platt: scores have shape " + shape + ", expected "
                    + (a.length == 1 ? "(N) or (N, 1)" : "(N, " + a.length + ")") + " for this scaler");
        }
        Shape row = shape.dimension() == 2 ? new Shape(1, a.length) : new Shape(1);
        NDArray slope = Scalar.array(scores, Arrays.stream(a).map(v -> -v).toArray(), row);
        NDArray offset = Scalar.array(scores, Arrays.stream(b).map(v -> -v).toArray(), row);
        return scores.mul(slope).add(offset);
    }

    /**
     * The calibrated probabilities of scores.
     *
     * @param scores (N) or (N, C) scores
     * @return probabilities, same shape
     */
    public NDArray probabilities(NDArray scores) {
        return Activation.sigmoid(calibratedLogits(scores));
    }

    /** Newton's method with backtracking for one class: returns {A, B}. */
    private static double[] fitOne(double[] f, double[] y, String where) {
        if (f.length == 0 || f.length != y.length) {
            throw new IllegalArgumentException("platt: got " + f.length + " scores and " + y.length
                    + " labels" + where + ", expected the same number (at least 1)");
        }
        double positives = 0;
        for (int i = 0; i < f.length; i++) {
            if (!Double.isFinite(f[i])) {
                throw new IllegalArgumentException("platt: score " + i + where + " is " + f[i] + ", expected finite");
            }
            if (y[i] != 0 && y[i] != 1) {
                throw new IllegalArgumentException("platt: label " + i + where + " is " + y[i] + ", expected 0 or 1");
            }
            positives += y[i];
        }
        double negatives = f.length - positives;
        double high = (positives + 1) / (positives + 2);
        double low = 1 / (negatives + 2);
        double[] t = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            t[i] = y[i] == 1 ? high : low;
        }
        double a = 0;
        double b = Math.log((negatives + 1) / (positives + 1));
        double value = negativeLogLikelihood(f, t, a, b);
        double tolerance = GRADIENT_TOLERANCE * Math.max(1, f.length);
        for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
            double h11 = HESSIAN_RIDGE;
            double h22 = HESSIAN_RIDGE;
            double h21 = 0;
            double g1 = 0;
            double g2 = 0;
            for (int i = 0; i < f.length; i++) {
                double z = f[i] * a + b;
                double p = z >= 0 ? Math.exp(-z) / (1 + Math.exp(-z)) : 1 / (1 + Math.exp(z));
                double q = 1 - p;
                double d2 = p * q;
                h11 += f[i] * f[i] * d2;
                h22 += d2;
                h21 += f[i] * d2;
                double d1 = t[i] - p;
                g1 += f[i] * d1;
                g2 += d1;
            }
            if (Math.abs(g1) < tolerance && Math.abs(g2) < tolerance) {
                break;
            }
            double det = h11 * h22 - h21 * h21;
            double da = -(h22 * g1 - h21 * g2) / det;
            double db = -(-h21 * g1 + h11 * g2) / det;
            double slope = g1 * da + g2 * db;
            double step = 1;
            while (step >= MIN_STEP) {
                double na = a + step * da;
                double nb = b + step * db;
                double candidate = negativeLogLikelihood(f, t, na, nb);
                if (candidate < value + ARMIJO * step * slope) {
                    a = na;
                    b = nb;
                    value = candidate;
                    break;
                }
                step /= 2;
            }
            if (step < MIN_STEP) {
                break;
            }
        }
        return new double[] {a, b};
    }

    /** Σ_i BCE(σ(−(A f_i + B)), t_i) without overflow. */
    static double negativeLogLikelihood(double[] f, double[] t, double a, double b) {
        double sum = 0;
        for (int i = 0; i < f.length; i++) {
            double z = f[i] * a + b;
            sum += z >= 0 ? t[i] * z + Math.log1p(Math.exp(-z)) : (t[i] - 1) * z + Math.log1p(Math.exp(z));
        }
        return sum;
    }
}

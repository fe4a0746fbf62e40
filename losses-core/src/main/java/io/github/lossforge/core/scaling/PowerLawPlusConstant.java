package io.github.lossforge.core.scaling;

import java.util.List;
import java.util.Random;

/**
 * The scaling law of Henighan et al., \( L(x) = L_\infty + (x_0 / x)^{\alpha} \): an irreducible loss
 * L∞ (≈ the entropy of the data) plus a reducible power-law term (≈ the KL divergence of the model
 * from the data), for x = parameters, compute or data. A law to fit to (size, loss) points, not a
 * training loss.
 *
 * <p>{@link #fit} minimises the squared error in L (or in log L) by Levenberg–Marquardt over the
 * positive reparametrisation \( L_\infty = e^{l},\ x_0 = e^{c},\ \alpha = e^{a} \), from several starts
 * with L∞ below the smallest observed loss (from a log-log line fit each), keeping the best. L∞ and α
 * trade off strongly when x spans few orders of magnitude: report {@link #bootstrap} intervals.
 *
 * <p>Presets: {@link HenighanPreset} (Table 1 of the paper). Paper: Tom Henighan et al., "Scaling
 * Laws for Autoregressive Generative Modeling", 2020, arXiv 2010.14701.
 */
public final class PowerLawPlusConstant {

    /** Where the squared error is measured. */
    public enum Space {
        /** Residuals L − L̂. */
        LOSS,
        /** Residuals log L − log L̂ (every point weighted by its relative error). */
        LOG
    }

    private static final double[] START_FRACTIONS = {0.0, 0.5, 0.8, 0.95};

    private final double lInf;
    private final double x0;
    private final double alpha;

    /**
     * A law with the given parameters.
     *
     * @param lInf the irreducible loss L∞ ≥ 0
     * @param x0 the scale x₀ &gt; 0
     * @param alpha the exponent α &gt; 0
     */
    public PowerLawPlusConstant(double lInf, double x0, double alpha) {
        if (!(lInf >= 0) || !Double.isFinite(lInf) || !(x0 > 0) || !Double.isFinite(x0) || !(alpha > 0)
                || !Double.isFinite(alpha)) {
            throw new IllegalArgumentException("PowerLawPlusConstant: needs finite L∞ ≥ 0, x0 > 0, α > 0, got L∞="
                    + lInf + ", x0=" + x0 + ", α=" + alpha);
        }
        this.lInf = lInf;
        this.x0 = x0;
        this.alpha = alpha;
    }

    /**
     * The irreducible loss.
     *
     * @return L∞
     */
    public double lInf() {
        return lInf;
    }

    /**
     * The scale.
     *
     * @return x₀
     */
    public double x0() {
        return x0;
    }

    /**
     * The exponent.
     *
     * @return α
     */
    public double alpha() {
        return alpha;
    }

    /**
     * The predicted loss.
     *
     * @param x the size, &gt; 0
     * @return \( L_\infty + (x_0/x)^\alpha \)
     */
    public double predict(double x) {
        return lInf + Math.exp(alpha * (Math.log(x0) - Math.log(x)));
    }

    /**
     * Fits the law by least squares in L.
     *
     * @param x sizes, &gt; 0
     * @param loss losses, &gt; 0
     * @return the fitted law
     */
    public static PowerLawPlusConstant fit(double[] x, double[] loss) {
        return fit(x, loss, Space.LOSS);
    }

    /**
     * Fits the law by least squares.
     *
     * @param x sizes, &gt; 0, at least 3 points
     * @param loss losses, &gt; 0
     * @param space where the residuals are measured
     * @return the fitted law
     */
    public static PowerLawPlusConstant fit(double[] x, double[] loss, Space space) {
        requirePoints(x, loss);
        double minLoss = Double.POSITIVE_INFINITY;
        for (double l : loss) {
            minLoss = Math.min(minLoss, l);
        }
        double[] best = null;
        double bestCost = Double.POSITIVE_INFINITY;
        for (double fraction : START_FRACTIONS) {
            double[] theta = LeastSquares.minimise(t -> residuals(t, x, loss, space), start(x, loss, fraction * minLoss));
            double cost = LeastSquares.squaredNorm(residuals(theta, x, loss, space));
            if (cost < bestCost) {
                bestCost = cost;
                best = theta;
            }
        }
        return fromTheta(best);
    }

    /**
     * Fits the law and bootstrap percentile intervals of L∞, x₀ and α (points resampled with
     * replacement, refitted {@code resamples} times).
     *
     * @param x sizes
     * @param loss losses
     * @param space where the residuals are measured
     * @param resamples the number of bootstrap fits (≥ 10)
     * @param seed the resampling seed
     * @param level the coverage in (0, 1), e.g. 0.95
     * @return the intervals, named {@code Linf}, {@code x0}, {@code alpha}
     */
    public static ConfidenceIntervals bootstrap(double[] x, double[] loss, Space space, int resamples, long seed,
            double level) {
        requireBootstrap(resamples, level);
        PowerLawPlusConstant all = fit(x, loss, space);
        Random random = new Random(seed);
        double[][] replicates = new double[resamples][];
        for (int b = 0; b < resamples; b++) {
            double[] bx = new double[x.length];
            double[] bl = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                int pick = random.nextInt(x.length);
                bx[i] = x[pick];
                bl[i] = loss[pick];
            }
            PowerLawPlusConstant f = distinctSizes(bx) >= 3 ? fit(bx, bl, space) : all;
            replicates[b] = new double[] {f.lInf, f.x0, f.alpha};
        }
        double[][] interval = LeastSquares.percentileInterval(replicates, level);
        return new ConfidenceIntervals(List.of("Linf", "x0", "alpha"),
                new double[] {all.lInf, all.x0, all.alpha}, interval[0], interval[1], level);
    }

    static void requireBootstrap(int resamples, double level) {
        if (resamples < 10) {
            throw new IllegalArgumentException("bootstrap: needs at least 10 resamples, got " + resamples);
        }
        if (!(level > 0 && level < 1)) {
            throw new IllegalArgumentException("bootstrap: level must be in (0, 1), got " + level);
        }
    }

    private static int distinctSizes(double[] x) {
        return (int) java.util.Arrays.stream(x).distinct().count();
    }

    private static double[] start(double[] x, double[] loss, double lInf) {
        int n = x.length;
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < n; i++) {
            double lx = Math.log(x[i]);
            double ly = Math.log(Math.max(loss[i] - lInf, 1e-12));
            sx += lx;
            sy += ly;
            sxx += lx * lx;
            sxy += lx * ly;
        }
        double slope = (n * sxy - sx * sy) / Math.max(n * sxx - sx * sx, 1e-300);
        double intercept = (sy - slope * sx) / n;
        double alpha = slope < 0 ? -slope : 0.1;
        double logX0 = slope < 0 ? intercept / alpha : Math.log(x[0]);
        return new double[] {Math.log(Math.max(lInf, 1e-8)), logX0, Math.log(alpha)};
    }

    private static double[] residuals(double[] theta, double[] x, double[] loss, Space space) {
        double[] r = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double predicted = Math.exp(theta[0]) + Math.exp(Math.exp(theta[2]) * (theta[1] - Math.log(x[i])));
            r[i] = space == Space.LOG ? Math.log(predicted) - Math.log(loss[i]) : predicted - loss[i];
        }
        return r;
    }

    private static PowerLawPlusConstant fromTheta(double[] theta) {
        return new PowerLawPlusConstant(Math.exp(theta[0]), Math.exp(theta[1]), Math.exp(theta[2]));
    }

    static void requirePoints(double[] x, double[] loss) {
        if (x.length != loss.length) {
            throw new IllegalArgumentException(
                    "scaling fit: " + x.length + " sizes but " + loss.length + " losses, expected one loss per size");
        }
        if (x.length < 3) {
            throw new IllegalArgumentException("scaling fit: needs at least 3 points, got " + x.length);
        }
        for (int i = 0; i < x.length; i++) {
            if (!(x[i] > 0) || !Double.isFinite(x[i]) || !(loss[i] > 0) || !Double.isFinite(loss[i])) {
                throw new IllegalArgumentException("scaling fit: point " + i + " is (" + x[i] + ", " + loss[i]
                        + "), expected a finite size > 0 and a finite loss > 0");
            }
        }
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "L(x) = %.6g + (%.6g / x)^%.6g", lInf, x0, alpha);
    }
}

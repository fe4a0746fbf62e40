package io.github.lossforge.core.scaling;

import java.util.List;
import java.util.Random;

/**
 * The bivariate scaling law of encoder–decoder translation models (Ghorbani et al.),
 *
 * <p>\( L(N_e, N_d) = \alpha \left(\frac{\bar N_e}{N_e}\right)^{p_e} \left(\frac{\bar N_d}{N_d}\right)^{p_d} +
 * L_\infty, \)
 *
 * <p>with fixed normalisers \( \bar N_e, \bar N_d \) (the encoder and decoder sizes of a reference
 * model). A law to fit jointly to encoder-scaling and decoder-scaling runs, not a training loss. Under a
 * budget N_e + N_d = N the loss is smallest at \( N_e / N_d = p_e / p_d \) ({@link
 * #optimalEncoderFraction()}).
 *
 * <p>{@link #fit} minimises the squared error by Levenberg–Marquardt over \( \alpha = e^{a},\ p_e =
 * e^{b},\ p_d = e^{c},\ L_\infty = e^{l} \), from starts with L∞ below the smallest loss (a log-linear
 * regression each); {@link #bootstrap} gives percentile intervals. The paper's fitted values per
 * language pair were not available to us, so there are no presets.
 *
 * <p>Paper: Behrooz Ghorbani et al., "Scaling Laws for Neural Machine Translation", ICLR 2022, arXiv
 * 2109.07740, Eq. (2).
 */
public final class BivariateNmtLaw {

    private static final double[] START_FRACTIONS = {0.0, 0.5, 0.8, 0.95};

    private final double alpha;
    private final double encoderExponent;
    private final double decoderExponent;
    private final double lInf;
    private final double encoderReference;
    private final double decoderReference;

    /**
     * A law with the given parameters.
     *
     * @param alpha α &gt; 0
     * @param encoderExponent p_e &gt; 0
     * @param decoderExponent p_d &gt; 0
     * @param lInf L∞ ≥ 0
     * @param encoderReference N̄_e &gt; 0
     * @param decoderReference N̄_d &gt; 0
     */
    public BivariateNmtLaw(double alpha, double encoderExponent, double decoderExponent, double lInf,
            double encoderReference, double decoderReference) {
        if (!(alpha > 0) || !(encoderExponent > 0) || !(decoderExponent > 0) || !(lInf >= 0)
                || !(encoderReference > 0) || !(decoderReference > 0)
                || !Double.isFinite(alpha + encoderExponent + decoderExponent + lInf + encoderReference + decoderReference)) {
            throw new IllegalArgumentException("BivariateNmtLaw: needs finite α, p_e, p_d, N̄_e, N̄_d > 0 and L∞ ≥ 0,"
                    + " got α=" + alpha + ", p_e=" + encoderExponent + ", p_d=" + decoderExponent + ", L∞=" + lInf
                    + ", N̄_e=" + encoderReference + ", N̄_d=" + decoderReference);
        }
        this.alpha = alpha;
        this.encoderExponent = encoderExponent;
        this.decoderExponent = decoderExponent;
        this.lInf = lInf;
        this.encoderReference = encoderReference;
        this.decoderReference = decoderReference;
    }

    /**
     * α.
     *
     * @return α
     */
    public double alpha() {
        return alpha;
    }

    /**
     * The encoder exponent.
     *
     * @return p_e
     */
    public double encoderExponent() {
        return encoderExponent;
    }

    /**
     * The decoder exponent.
     *
     * @return p_d
     */
    public double decoderExponent() {
        return decoderExponent;
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
     * The predicted loss.
     *
     * @param encoderSize N_e &gt; 0
     * @param decoderSize N_d &gt; 0
     * @return L(N_e, N_d)
     */
    public double predict(double encoderSize, double decoderSize) {
        return alpha * Math.exp(encoderExponent * Math.log(encoderReference / encoderSize)
                + decoderExponent * Math.log(decoderReference / decoderSize)) + lInf;
    }

    /**
     * The loss-minimising share of the encoder in a fixed parameter budget, \( p_e / (p_e + p_d) \).
     *
     * @return N_e / (N_e + N_d) at the optimum
     */
    public double optimalEncoderFraction() {
        return encoderExponent / (encoderExponent + decoderExponent);
    }

    /**
     * Fits the law by least squares in L.
     *
     * @param encoderSizes N_e per run, &gt; 0
     * @param decoderSizes N_d per run, &gt; 0
     * @param loss the loss per run, &gt; 0 (at least 4 runs)
     * @param encoderReference N̄_e
     * @param decoderReference N̄_d
     * @return the fitted law
     */
    public static BivariateNmtLaw fit(double[] encoderSizes, double[] decoderSizes, double[] loss,
            double encoderReference, double decoderReference) {
        requireRuns(encoderSizes, decoderSizes, loss);
        double[] u = new double[loss.length];
        double[] v = new double[loss.length];
        double minLoss = Double.POSITIVE_INFINITY;
        for (int i = 0; i < loss.length; i++) {
            u[i] = Math.log(encoderReference / encoderSizes[i]);
            v[i] = Math.log(decoderReference / decoderSizes[i]);
            minLoss = Math.min(minLoss, loss[i]);
        }
        double[] best = null;
        double bestCost = Double.POSITIVE_INFINITY;
        for (double fraction : START_FRACTIONS) {
            double[] theta = LeastSquares.minimise(t -> residuals(t, u, v, loss), start(u, v, loss, fraction * minLoss));
            double cost = LeastSquares.squaredNorm(residuals(theta, u, v, loss));
            if (cost < bestCost) {
                bestCost = cost;
                best = theta;
            }
        }
        return new BivariateNmtLaw(Math.exp(best[0]), Math.exp(best[1]), Math.exp(best[2]), Math.exp(best[3]),
                encoderReference, decoderReference);
    }

    /**
     * Fits the law and bootstrap percentile intervals of α, p_e, p_d and L∞ (runs resampled with
     * replacement).
     *
     * @param encoderSizes N_e per run
     * @param decoderSizes N_d per run
     * @param loss the loss per run
     * @param encoderReference N̄_e
     * @param decoderReference N̄_d
     * @param resamples the number of bootstrap fits (≥ 10)
     * @param seed the resampling seed
     * @param level the coverage in (0, 1)
     * @return the intervals, named {@code alpha}, {@code pe}, {@code pd}, {@code Linf}
     */
    public static ConfidenceIntervals bootstrap(double[] encoderSizes, double[] decoderSizes, double[] loss,
            double encoderReference, double decoderReference, int resamples, long seed, double level) {
        PowerLawPlusConstant.requireBootstrap(resamples, level);
        BivariateNmtLaw all = fit(encoderSizes, decoderSizes, loss, encoderReference, decoderReference);
        Random random = new Random(seed);
        double[][] replicates = new double[resamples][];
        int n = loss.length;
        for (int b = 0; b < resamples; b++) {
            double[] e = new double[n];
            double[] d = new double[n];
            double[] l = new double[n];
            for (int i = 0; i < n; i++) {
                int pick = random.nextInt(n);
                e[i] = encoderSizes[pick];
                d[i] = decoderSizes[pick];
                l[i] = loss[pick];
            }
            BivariateNmtLaw f = fit(e, d, l, encoderReference, decoderReference);
            replicates[b] = new double[] {f.alpha, f.encoderExponent, f.decoderExponent, f.lInf};
        }
        double[][] interval = LeastSquares.percentileInterval(replicates, level);
        return new ConfidenceIntervals(List.of("alpha", "pe", "pd", "Linf"),
                new double[] {all.alpha, all.encoderExponent, all.decoderExponent, all.lInf}, interval[0], interval[1],
                level);
    }

    /** log(L − L∞) ≈ log α + p_e u + p_d v by linear least squares. */
    private static double[] start(double[] u, double[] v, double[] loss, double lInf) {
        double[][] normal = new double[3][3];
        double[] rhs = new double[3];
        for (int i = 0; i < loss.length; i++) {
            double[] row = {1, u[i], v[i]};
            double y = Math.log(Math.max(loss[i] - lInf, 1e-12));
            for (int a = 0; a < 3; a++) {
                for (int b = 0; b < 3; b++) {
                    normal[a][b] += row[a] * row[b];
                }
                rhs[a] += row[a] * y;
            }
        }
        for (int a = 0; a < 3; a++) {
            normal[a][a] += 1e-9;
        }
        double[] c = LeastSquares.solve(normal, rhs);
        return new double[] {c[0], Math.log(c[1] > 0 ? c[1] : 0.1), Math.log(c[2] > 0 ? c[2] : 0.1),
            Math.log(Math.max(lInf, 1e-8))};
    }

    private static double[] residuals(double[] theta, double[] u, double[] v, double[] loss) {
        double[] r = new double[loss.length];
        for (int i = 0; i < loss.length; i++) {
            r[i] = Math.exp(theta[0] + Math.exp(theta[1]) * u[i] + Math.exp(theta[2]) * v[i]) + Math.exp(theta[3]) - loss[i];
        }
        return r;
    }

    private static void requireRuns(double[] e, double[] d, double[] loss) {
        if (e.length != loss.length || d.length != loss.length) {
            throw new IllegalArgumentException("BivariateNmtLaw: " + e.length + " encoder sizes, " + d.length
                    + " decoder sizes and " + loss.length + " losses, expected one of each per run");
        }
        if (loss.length < 4) {
            throw new IllegalArgumentException("BivariateNmtLaw: needs at least 4 runs, got " + loss.length);
        }
        for (int i = 0; i < loss.length; i++) {
            if (!(e[i] > 0) || !(d[i] > 0) || !(loss[i] > 0) || !Double.isFinite(e[i] + d[i] + loss[i])) {
                throw new IllegalArgumentException("BivariateNmtLaw: run " + i + " is (" + e[i] + ", " + d[i] + ", "
                        + loss[i] + "), expected finite sizes > 0 and a finite loss > 0");
            }
        }
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "L(Ne, Nd) = %.6g (%.6g/Ne)^%.6g (%.6g/Nd)^%.6g + %.6g",
                alpha, encoderReference, encoderExponent, decoderReference, decoderExponent, lInf);
    }
}

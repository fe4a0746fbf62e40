package io.github.lossforge.examples.regression;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Losses;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.examples.support.AdamUpdater;
import io.github.lossforge.examples.support.ExampleArgs;
import io.github.lossforge.examples.support.ExampleResult;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Stable learning by sample reweighting (StableNet, L2R-GNN) with {@code weighted-decorrelation}: the
 * target is \( y = s + s^2 + \varepsilon \) of a stable variable s, and the model is linear in (s, v),
 * so it misses the s² part. In the training data a second variable v is selection-biased, \( v = s^2 +
 * u \), and ordinary least squares uses it as a proxy for s²; in the test data v is independent of s, so
 * that proxy fails. Sample weights w = n · softmax(θ) are learned so that, under the weighted
 * distribution, random Fourier features of s and v are uncorrelated ({@code weighted-decorrelation} on the
 * standardised (s, v), plus the effective-sample-size penalty \( \lambda \sum \tilde w^2 \)); then the
 * weighted least-squares fit relies less on v.
 *
 * <p>Prints the coefficient of v, the weighted |corr(s², v)| and the test RMSE, for the unweighted and the
 * reweighted fit, and the effective sample size \( 1 / \sum \tilde w^2 \).
 *
 * <p>Run: {@code examples/run-examples.sh regression.StableLearning [--quick] [--loss ID]}.
 */
public final class StableLearning {

    /** The reweighting losses this example trains with. */
    public static final List<String> LOSSES = List.of("weighted-decorrelation");

    private static final int TRAIN = 1000;
    private static final int TEST = 2000;
    private static final double NOISE = 0.3;
    private static final double ESS_PENALTY = 0.5;

    private StableLearning() {
    }

    /** A least-squares fit y ≈ a + b s + c v and what it does on the test data. */
    record Fit(double[] coefficients, double testRmse) {}

    /** Columns s, v and the target y of n points. */
    record Data(double[] s, double[] v, double[] y) {}

    static Data data(Random rng, int n, boolean biased) {
        double[] s = new double[n];
        double[] v = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            s[i] = rng.nextGaussian();
            v[i] = biased ? s[i] * s[i] - 1 + rng.nextGaussian() : Math.sqrt(3) * rng.nextGaussian();
            y[i] = s[i] + s[i] * s[i] + NOISE * rng.nextGaussian();
        }
        return new Data(s, v, y);
    }

    /** Weighted least squares of y on (1, s, v): solves the 3×3 normal equations. */
    static Fit fit(Data train, double[] w, Data test) {
        double[][] a = new double[3][4];
        for (int i = 0; i < w.length; i++) {
            double[] x = {1, train.s()[i], train.v()[i]};
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 3; c++) {
                    a[r][c] += w[i] * x[r] * x[c];
                }
                a[r][3] += w[i] * x[r] * train.y()[i];
            }
        }
        for (int p = 0; p < 3; p++) { // Gauss-Jordan; the matrix is symmetric positive definite
            for (int r = 0; r < 3; r++) {
                if (r != p) {
                    double f = a[r][p] / a[p][p];
                    for (int c = p; c < 4; c++) {
                        a[r][c] -= f * a[p][c];
                    }
                }
            }
        }
        double[] beta = {a[0][3] / a[0][0], a[1][3] / a[1][1], a[2][3] / a[2][2]};
        double se = 0;
        for (int i = 0; i < test.y().length; i++) {
            double e = beta[0] + beta[1] * test.s()[i] + beta[2] * test.v()[i] - test.y()[i];
            se += e * e;
        }
        return new Fit(beta, Math.sqrt(se / test.y().length));
    }

    /** |corr_w(s², v)| under weights w. */
    static double weightedCorrelation(Data d, double[] w) {
        double sw = 0;
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < w.length; i++) {
            sw += w[i];
            ma += w[i] * d.s()[i] * d.s()[i];
            mb += w[i] * d.v()[i];
        }
        ma /= sw;
        mb /= sw;
        double cab = 0;
        double caa = 0;
        double cbb = 0;
        for (int i = 0; i < w.length; i++) {
            double a = d.s()[i] * d.s()[i] - ma;
            double b = d.v()[i] - mb;
            cab += w[i] * a * b;
            caa += w[i] * a * a;
            cbb += w[i] * b * b;
        }
        return Math.abs(cab / Math.sqrt(caa * cbb));
    }

    /**
     * Learns the sample weights.
     *
     * @param lossId the decorrelation loss
     * @param train the training data
     * @param steps Adam steps
     * @return the weights w = n · softmax(θ)
     */
    static double[] reweight(String lossId, Data train, int steps) {
        BaseLoss loss = Losses.create(lossId, Map.of("randomFeatures", 32));
        int n = train.s().length;
        float[] z = new float[2 * n];
        double[][] columns = {train.s(), train.v()};
        for (int k = 0; k < 2; k++) {
            double mean = 0;
            double sq = 0;
            for (double x : columns[k]) {
                mean += x / n;
                sq += x * x / n;
            }
            double sd = Math.sqrt(sq - mean * mean);
            for (int i = 0; i < n; i++) {
                z[i * 2 + k] = (float) ((columns[k][i] - mean) / sd);
            }
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray features = manager.create(z, new Shape(n, 2));
            NDArray logits = manager.zeros(new Shape(n), DataType.FLOAT32);
            AdamUpdater adam = new AdamUpdater(5e-2).add("sample weight logits", logits);
            for (int step = 1; step <= steps; step++) {
                try (NDManager m = manager.newSubManager()) {
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray w = logits.softmax(0);
                        w.attach(m);
                        NDArray value = loss.evaluate(new NDList(), new NDList(features, w));
                        NDArray penalty = Scalar.mul(w.square().sum(), ESS_PENALTY);
                        collector.backward(value.add(penalty));
                        if (step == 1 || step % Math.max(1, steps / 4) == 0) {
                            System.out.printf("  step %4d  %s %.5f, effective sample size %.0f%n", step, lossId,
                                    value.getFloat(), 1 / w.square().sum().getFloat());
                        }
                    }
                    adam.step();
                }
            }
            float[] w = logits.softmax(0).toFloatArray();
            double[] weights = new double[n];
            for (int i = 0; i < n; i++) {
                weights[i] = n * (double) w[i];
            }
            return weights;
        }
    }

    /**
     * Runs the example.
     *
     * @param args {@code [--quick] [--loss ID] [--seed N]}
     */
    public static void main(String[] args) {
        ExampleArgs a = ExampleArgs.parse("regression.StableLearning", LOSSES, 21, args);
        int steps = a.quick() ? 150 : 600;
        Engine.getInstance().setRandomSeed((int) a.seed());
        Random rng = new Random(a.seed());
        Data train = data(rng, TRAIN, true);
        Data test = data(rng, TEST, false);
        System.out.printf("Stable learning with %s: y = s + s² + noise fitted linearly in (s, v); v = s² − 1 + noise in"
                + " training, independent of s in test; %d sample weights, %d steps%n", a.loss(), TRAIN, steps);
        double[] uniform = new double[TRAIN];
        Arrays.fill(uniform, 1);
        double[] w = reweight(a.loss(), train, steps);
        Fit before = fit(train, uniform, test);
        Fit after = fit(train, w, test);
        double sum = 0;
        double sq = 0;
        for (double x : w) {
            sum += x;
            sq += x * x;
        }
        double ess = sum * sum / sq;
        System.out.printf("  coefficients (1, s, v): unweighted (%.3f, %.3f, %.3f), reweighted (%.3f, %.3f, %.3f)%n",
                before.coefficients()[0], before.coefficients()[1], before.coefficients()[2],
                after.coefficients()[0], after.coefficients()[1], after.coefficients()[2]);
        double corrBefore = weightedCorrelation(train, uniform);
        double corrAfter = weightedCorrelation(train, w);
        ExampleResult.report(String.format("%s: coefficient of the spurious v %.3f -> %.3f, |corr(s², v)| %.3f -> %.3f,"
                + " test RMSE %.3f -> %.3f (effective sample size %.0f of %d)", a.loss(), before.coefficients()[2],
                after.coefficients()[2], corrBefore, corrAfter, before.testRmse(), after.testRmse(), ess, TRAIN),
                Math.abs(after.coefficients()[2]) < Math.abs(before.coefficients()[2]) && corrAfter < corrBefore
                        && after.testRmse() < before.testRmse(),
                "reweighting decorrelates s and v, so the fit leans less on v and does better where v is independent");
    }
}

package io.github.lossforge.examples.calibration;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.calibration.PlattLoss;
import io.github.lossforge.core.calibration.PlattScaler;
import io.github.lossforge.examples.support.AdamUpdater;
import io.github.lossforge.examples.support.ExampleArgs;
import io.github.lossforge.examples.support.ExampleResult;

import java.util.List;
import java.util.Random;

/**
 * Platt scaling of a margin classifier. A linear scorer f(x) = w·x + c is trained with the hinge
 * loss on two overlapping Gaussian classes; its scores are margins, not log-odds, so σ(f) is a
 * miscalibrated probability. Platt's sigmoid \( p(y = 1 \mid f) = 1 / (1 + e^{A f + B}) \) is fitted on
 * held-out scores twice: by {@link PlattScaler} (Newton's method) and by gradient descent on the
 * {@code platt} loss ({@link PlattLoss}, the same objective, through DJL's autograd); the two fits
 * agree. The example prints the expected calibration error (ECE, 10 equal-width bins) and the negative
 * log-likelihood of the test set before (σ(f)) and after calibration.
 *
 * <p>Run: {@code examples/run-examples.sh calibration.PlattCalibration [--quick]}.
 */
public final class PlattCalibration {

    private static final int BINS = 10;

    private PlattCalibration() {
    }

    /** Points (N, 2) and 0/1 labels (N). */
    record Points(NDArray x, NDArray y, double[] labels) {}

    static Points points(NDManager m, Random rng, int n) {
        float[] x = new float[2 * n];
        float[] y = new float[n];
        double[] labels = new double[n];
        for (int i = 0; i < n; i++) {
            int label = rng.nextInt(4) == 0 ? 1 : 0;
            double centre = label == 1 ? 0.7 : -0.7;
            x[2 * i] = (float) (centre + rng.nextGaussian());
            x[2 * i + 1] = (float) (centre + 1.5 * rng.nextGaussian());
            y[i] = label;
            labels[i] = label;
        }
        return new Points(m.create(x, new Shape(n, 2)), m.create(y, new Shape(n)), labels);
    }

    /**
     * The expected calibration error of probabilities: \( \sum_b \frac{|B_b|}{N} |\bar y_b - \bar p_b| \)
     * over 10 equal-width bins of p.
     *
     * @param p probabilities
     * @param y 0/1 labels
     * @return the ECE
     */
    static double expectedCalibrationError(double[] p, double[] y) {
        double[] count = new double[BINS];
        double[] sumP = new double[BINS];
        double[] sumY = new double[BINS];
        for (int i = 0; i < p.length; i++) {
            int b = Math.min(BINS - 1, (int) (p[i] * BINS));
            count[b]++;
            sumP[b] += p[i];
            sumY[b] += y[i];
        }
        double ece = 0;
        for (int b = 0; b < BINS; b++) {
            ece += Math.abs(sumY[b] - sumP[b]) / p.length;
        }
        return ece;
    }

    /**
     * The mean negative log-likelihood of 0/1 labels under probabilities.
     *
     * @param p probabilities
     * @param y 0/1 labels
     * @return the NLL in nats
     */
    static double negativeLogLikelihood(double[] p, double[] y) {
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            double q = Math.min(1 - 1e-12, Math.max(1e-12, p[i]));
            sum -= y[i] * Math.log(q) + (1 - y[i]) * Math.log(1 - q);
        }
        return sum / p.length;
    }

    private static double[] sigmoid(double[] s) {
        double[] p = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            p[i] = 1 / (1 + Math.exp(-s[i]));
        }
        return p;
    }

    private static double[] toDoubles(NDArray a) {
        float[] f = a.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /**
     * Trains the scorer with the hinge loss, \( \mathrm{mean}_i \max(0, 1 - \pm f(x_i)) \).
     *
     * @return {w, c}
     */
    static NDArray[] trainScorer(NDManager m, Points train, int steps) {
        NDArray w = m.zeros(new Shape(2));
        NDArray c = m.zeros(new Shape(1));
        AdamUpdater adam = new AdamUpdater(0.05).add("w", w).add("c", c);
        NDArray sign = Scalar.mul(train.y(), 2).sub(1);
        for (int step = 0; step < steps; step++) {
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray f = train.x().matMul(w).add(c);
                NDArray hinge = Activation.relu(f.mul(sign).neg().add(1)).mean();
                collector.backward(hinge);
            }
            adam.step();
        }
        return new NDArray[] {w, c};
    }

    /**
     * Fits A, B by gradient descent on the {@code platt} loss over the held-out scores.
     *
     * @return {A, B}
     */
    static double[] fitWithLoss(NDManager m, NDArray scores, NDArray labels, int steps) {
        NDArray a = m.zeros(new Shape(1));
        NDArray b = m.zeros(new Shape(1));
        AdamUpdater adam = new AdamUpdater(0.05).add("A", a).add("B", b);
        PlattLoss loss = PlattLoss.builder().build();
        for (int step = 0; step < steps; step++) {
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray s = scores.mul(a).add(b).neg();
                collector.backward(loss.evaluate(new NDList(labels), new NDList(s)));
            }
            adam.step();
        }
        return new double[] {a.getFloat(), b.getFloat()};
    }

    /**
     * Runs the example.
     *
     * @param args {@code [--quick] [--seed N]}
     */
    public static void main(String[] args) {
        ExampleArgs a = ExampleArgs.parse("calibration.PlattCalibration", List.of(), 13, args);
        long seed = a.seed();
        int steps = a.quick() ? 300 : 1500;
        Random rng = new Random(seed);
        try (NDManager m = NDManager.newBaseManager()) {
            Points train = points(m, rng, 2000);
            Points heldOut = points(m, rng, 2000);
            Points test = points(m, rng, 4000);
            System.out.println("Platt scaling of a hinge-loss linear scorer on two overlapping Gaussian classes"
                    + " (1 : 3), 2000 train / 2000 held-out / 4000 test points");
            NDArray[] scorer = trainScorer(m, train, steps);
            NDArray heldOutScores = heldOut.x().matMul(scorer[0]).add(scorer[1]);
            double[] testScores = toDoubles(test.x().matMul(scorer[0]).add(scorer[1]));
            PlattScaler newton = PlattScaler.fit(toDoubles(heldOutScores), heldOut.labels());
            double[] descent = fitWithLoss(m, heldOutScores, heldOut.y(), steps * 2);
            System.out.printf("  PlattScaler (Newton):        A = %.4f, B = %.4f%n", newton.a(0), newton.b(0));
            System.out.printf("  platt loss, gradient descent: A = %.4f, B = %.4f%n", descent[0], descent[1]);
            double[] before = sigmoid(testScores);
            double[] after = new double[testScores.length];
            for (int i = 0; i < after.length; i++) {
                after[i] = newton.probability(testScores[i], 0);
            }
            double eceBefore = expectedCalibrationError(before, test.labels());
            double eceAfter = expectedCalibrationError(after, test.labels());
            double nllBefore = negativeLogLikelihood(before, test.labels());
            double nllAfter = negativeLogLikelihood(after, test.labels());
            double fitGap = Math.max(Math.abs(newton.a(0) - descent[0]), Math.abs(newton.b(0) - descent[1]));
            ExampleResult.report(String.format("platt: test ECE %.4f -> %.4f, NLL %.4f -> %.4f; Newton vs platt-loss fit"
                    + " differ by %.1e", eceBefore, eceAfter, nllBefore, nllAfter, fitGap),
                    eceAfter < eceBefore && nllAfter < nllBefore && fitGap < 0.02,
                    "Platt scaling lowers ECE and NLL and that the platt loss reaches Newton's fit");
        }
    }
}

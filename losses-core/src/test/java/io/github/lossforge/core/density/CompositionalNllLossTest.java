package io.github.lossforge.core.density;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import io.github.lossforge.core.testkit.Close;
import io.github.lossforge.core.testkit.Evaluation;
import io.github.lossforge.core.testkit.Generators;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.LossContract;
import io.github.lossforge.core.testkit.Reference;
import io.github.lossforge.core.testkit.Sample;
import io.github.lossforge.core.testkit.TrainingTask;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The contract runs on a fixed partition estimate (γ = 0 with a given log u), where the surrogate's
 * value is a function whose derivative is its gradient; the moving-average recursion itself is checked
 * step by step against a float64 reference below.
 */
class CompositionalNllLossTest extends LossContract {

    private static final int[][] SHAPES = {{1, 1}, {5, 7}, {12, 30}};

    static double meanOf(HostTensor t) {
        double s = 0;
        for (int i = 0; i < t.size(); i++) {
            s += t.at(i);
        }
        return s / t.size();
    }

    /** ĝ = (1/M) Σ_j exp(f_j − log q_j), by a plain sum. */
    static double gHat(Sample s) {
        double g = 0;
        for (int j = 0; j < s.prediction(1).size(); j++) {
            g += Math.exp(s.prediction(1).at(j) - s.prediction(2).at(j));
        }
        return g / s.prediction(1).size();
    }

    static Reference fixedPartition(double logU) {
        return s -> new double[] {-meanOf(s.prediction(0)) + gHat(s) / Math.exp(logU)};
    }

    private static Variant fixed(double logU) {
        return new Variant("gamma=0, log u=" + logU,
                r -> CompositionalNllLoss.builder().optGamma(0).optInitialLogPartition(logU).optReduction(r).build(),
                fixedPartition(logU));
    }

    @Override
    protected boolean perSample() {
        return false;
    }

    @Override
    protected List<Variant> variants() {
        return List.of(fixed(0.3), fixed(-2.0), fixed(4.0));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        int b = SHAPES[shape][0];
        int m = SHAPES[shape][1];
        return new Sample(List.of(), List.of(Generators.normal(rng, 1, b), Generators.normal(rng, 1, m),
                Generators.uniform(rng, -2, -0.5, m)));
    }

    @Override
    protected TrainingTask trainingTask() {
        int b = 16;
        int m = 32;
        return new TrainingTask() {
            @Override
            public Block model() {
                // input rows: b data points then m noise points drawn from q = N(0, 2²); a bounded
                // score keeps 200 plain-SGD steps of the Monte-Carlo objective finite
                Block energy = new SequentialBlock()
                        .add(Linear.builder().setUnits(8).build())
                        .add(Activation::tanh)
                        .add(Linear.builder().setUnits(1).build())
                        .add(Activation::tanh);
                return new ParallelBlock(outputs -> {
                    NDArray f = outputs.get(0).singletonOrThrow().reshape(-1);
                    NDArray noise = outputs.get(1).singletonOrThrow().get(b + ":").reshape(-1);
                    NDArray logQ = noise.square().div(-8).sub(Math.log(2 * Math.sqrt(2 * Math.PI)));
                    return new NDList(f.get(":" + b), f.get(b + ":"), logQ);
                }, List.of(energy, new LambdaBlock(list -> list)));
            }

            @Override
            public Shape inputShape() {
                return new Shape(b + m, 1);
            }

            @Override
            public NDList[] batch(NDManager manager, Random rng, int step) {
                float[] x = new float[b + m];
                for (int i = 0; i < b + m; i++) {
                    x[i] = (float) (i < b ? 1 + 0.5 * rng.nextGaussian() : 2 * rng.nextGaussian());
                }
                // the loss reads no labels; EasyTrain needs one label array
                return new NDList[] {new NDList(manager.create(x, new Shape(b + m, 1))), new NDList(manager.zeros(new Shape(1)))};
            }
        };
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> CompositionalNllLoss.builder().build()),
                new RegistryCase(Map.of("gamma", 1),
                        () -> CompositionalNllLoss.builder().optGamma(1).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        HostTensor data = Generators.normal(rng, 1, 4);
        HostTensor noise = Generators.normal(rng, 1, 6);
        HostTensor logQ = Generators.normal(rng, 1, 6);
        return List.of(
                new BadInput("rank-2 data scores", new Sample(List.of(), List.of(data.reshape(4, 1), noise, logQ)),
                        "predictions[0] (f(data))", "(4, 1)", "(B)"),
                new BadInput("noise densities of another length", new Sample(List.of(), List.of(data, noise, logQ.firstRows(5))),
                        "predictions[2] (log q(noise))", "(5)", "6"),
                new BadInput("missing noise density", new Sample(List.of(), List.of(data, noise)), "predictions"),
                new BadInput("NaN in the noise scores",
                        new Sample(List.of(), List.of(data, noise.withData(new double[] {0, 1, Double.NaN, 0, 0, 0}), logQ)),
                        "predictions[1] (f(noise))", "NaN"));
    }

    @Test
    void freshObjectStartsFromTheFirstEstimateSoTheFirstValueIsMinusMeanFPlusOne() {
        Sample s = sample(2, new Random(3));
        CompositionalNllLoss loss = CompositionalNllLoss.builder().build();
        Evaluation e = Evaluation.of(loss, s, DataType.FLOAT64);
        assertThat(e.scalar()).isCloseTo(-meanOf(s.prediction(0)) + 1, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(loss.logPartitionEstimate()).isCloseTo(Math.log(gHat(s)), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(loss.monitoredNll()).isCloseTo(-meanOf(s.prediction(0)) + Math.log(gHat(s)),
                org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void movingAverageRecursionMatchesTheReferenceStepByStep() {
        double gamma = 0.3;
        CompositionalNllLoss loss = CompositionalNllLoss.builder().optGamma(gamma).build();
        Random rng = new Random(17);
        double u = Double.NaN;
        for (int step = 0; step < 5; step++) {
            Sample s = sample(1 + step % 2, rng);
            double g = gHat(s);
            u = step == 0 ? g : (1 - gamma) * u + gamma * g;
            Evaluation e = Evaluation.of(loss, s, DataType.FLOAT64);
            assertThat(e.scalar()).as("surrogate at step %d", step)
                    .isCloseTo(-meanOf(s.prediction(0)) + g / u, org.assertj.core.data.Offset.offset(1e-12));
            assertThat(loss.logPartitionEstimate()).isCloseTo(Math.log(u), org.assertj.core.data.Offset.offset(1e-12));
            assertThat(loss.monitoredNll()).isCloseTo(-meanOf(s.prediction(0)) + Math.log(u),
                    org.assertj.core.data.Offset.offset(1e-12));
            // the estimator: −1/B on the data, e^{f_j − log q_j}/(M u) on the noise, its negative on log q
            int b = s.prediction(0).size();
            int m = s.prediction(1).size();
            double[] data = new double[b];
            java.util.Arrays.fill(data, -1.0 / b);
            double[] noise = new double[m];
            double[] logQ = new double[m];
            for (int j = 0; j < m; j++) {
                noise[j] = Math.exp(s.prediction(1).at(j) - s.prediction(2).at(j)) / (m * u);
                logQ[j] = -noise[j];
            }
            Close.assertClose("step " + step + ": gradient of f(data)", e.gradient(0), data, 1e-10);
            Close.assertClose("step " + step + ": gradient of f(noise)", e.gradient(1), noise, 1e-10);
            Close.assertClose("step " + step + ": gradient of log q", e.gradient(2), logQ, 1e-10);
        }
        loss.resetState();
        assertThat(loss.logPartitionEstimate()).isNaN();
        assertThat(loss.monitoredNll()).isNaN();
    }

    @Test
    void gammaOneIsThePlainMonteCarloEstimator() {
        CompositionalNllLoss loss = CompositionalNllLoss.builder().optGamma(1).build();
        Random rng = new Random(5);
        for (int step = 0; step < 3; step++) {
            Sample s = sample(2, rng);
            double v = Evaluation.of(loss, s, DataType.FLOAT64).scalar();
            assertThat(v).isCloseTo(-meanOf(s.prediction(0)) + 1, org.assertj.core.data.Offset.offset(1e-12));
            assertThat(loss.logPartitionEstimate()).isCloseTo(Math.log(gHat(s)), org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    @Test
    void partitionEstimateOfAGaussianConvergesToLogSqrtTwoPi() {
        // f(x) = −x²/2 has Z = sqrt(2π), log Z = 0.9189; noise q = N(0, 2²)
        CompositionalNllLoss loss = CompositionalNllLoss.builder().optGamma(0.1).build();
        Random rng = new Random(23);
        double thetaGradient = 0;
        double exactGradient = 0;
        int steps = 60;
        for (int step = 0; step < steps; step++) {
            int m = 500;
            double[] xData = new double[64];
            double[] fData = new double[64];
            for (int i = 0; i < 64; i++) {
                xData[i] = rng.nextGaussian();
                fData[i] = -xData[i] * xData[i] / 2;
            }
            double[] xNoise = new double[m];
            double[] fNoise = new double[m];
            double[] logQ = new double[m];
            for (int j = 0; j < m; j++) {
                xNoise[j] = 2 * rng.nextGaussian();
                fNoise[j] = -xNoise[j] * xNoise[j] / 2;
                logQ[j] = -xNoise[j] * xNoise[j] / 8 - Math.log(2 * Math.sqrt(2 * Math.PI));
            }
            Sample s = new Sample(List.of(), List.of(HostTensor.floats(fData, 64), HostTensor.floats(fNoise, m),
                    HostTensor.floats(logQ, m)));
            Evaluation e = Evaluation.of(loss, s, DataType.FLOAT64);
            if (step >= steps / 2) {
                // d/dθ at θ = 1 of f_θ(x) = −θx²/2 through the chain rule; the exact NLL gradient is
                // mean x²/2 − 1/(2θ)
                double[] gd = e.gradient(0);
                double[] gn = e.gradient(1);
                double g = 0;
                double exact = -0.5;
                for (int i = 0; i < 64; i++) {
                    g += gd[i] * -xData[i] * xData[i] / 2;
                    exact += xData[i] * xData[i] / 2 / 64;
                }
                for (int j = 0; j < m; j++) {
                    g += gn[j] * -xNoise[j] * xNoise[j] / 2;
                }
                thetaGradient += g / (steps / 2);
                exactGradient += exact / (steps / 2);
            }
        }
        assertThat(loss.logPartitionEstimate()).isCloseTo(0.5 * Math.log(2 * Math.PI), org.assertj.core.data.Offset.offset(0.05));
        assertThat(thetaGradient).isCloseTo(exactGradient, org.assertj.core.data.Offset.offset(0.05));
    }

    @Test
    void theSecondEvaluationOfABatchForTheAccumulatorsDoesNotUpdateTheState() {
        Sample s = sample(1, new Random(9));
        CompositionalNllLoss loss = CompositionalNllLoss.builder().optGamma(0.5).build();
        try (NDManager m = NDManager.newBaseManager()) {
            // DJL's accumulators read the value as a float
            NDList labels = s.labelList(m, DataType.FLOAT32);
            NDList predictions = s.predictionList(m, DataType.FLOAT32);
            loss.evaluate(labels, predictions);
            double after = loss.logPartitionEstimate();
            loss.addAccumulator("train");
            loss.updateAccumulators(new String[] {"train"}, labels, predictions);
            assertThat(loss.logPartitionEstimate()).isEqualTo(after);
        }
    }

    @Test
    void hugeScoresKeepTheStateFinite() {
        Sample s = sample(2, new Random(4));
        double[] big = s.prediction(1).data();
        big[0] = 900;
        CompositionalNllLoss loss = CompositionalNllLoss.builder().build();
        Evaluation e = Evaluation.of(loss, s.withPrediction(1, s.prediction(1).withData(big)), DataType.FLOAT64);
        Close.assertFinite("value", e.value());
        Close.assertFinite("gradient", e.gradient(1));
        assertThat(loss.logPartitionEstimate()).isFinite().isGreaterThan(800);
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> CompositionalNllLoss.builder().optGamma(1.5).build())
                .hasMessageContaining("compositional-nll").hasMessageContaining("gamma");
        assertThatThrownBy(() -> CompositionalNllLoss.builder().optInitialLogPartition(Double.POSITIVE_INFINITY).build())
                .hasMessageContaining("finite");
    }

    @Test
    void noiseFarAboveAFixedPartitionEstimateIsRejectedAndTheStateKept() {
        CompositionalNllLoss loss = CompositionalNllLoss.builder().optGamma(0).optInitialLogPartition(0).build();
        Sample far = new Sample(List.of(), List.of(HostTensor.floats(new double[] {0.5, -0.2}, 2),
                HostTensor.floats(new double[] {100, 3}, 2), HostTensor.floats(new double[] {-1, -2}, 2)));
        // log ĝ = log((e^101 + e^5)/2) ≈ 100.3 > log(Float.MAX_VALUE) ≈ 88.7: float32 would give ∞
        assertThatThrownBy(() -> Evaluation.of(loss, far, DataType.FLOAT32))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("compositional-nll")
                .hasMessageContaining("predictions[1]")
                .hasMessageContaining("predictions[2]")
                .hasMessageContaining("float32");
        assertThat(loss.logPartitionEstimate()).isEqualTo(0);
        double expected = fixedPartition(0).mean(far);
        Close.assertClose("the same batch fits float64", Evaluation.of(loss, far, DataType.FLOAT64).value(),
                new double[] {expected}, 1e-12);
    }
}

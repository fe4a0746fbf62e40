package io.github.lossforge.core.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.github.lossforge.core.testkit.Close;

import org.junit.jupiter.api.Test;

import java.util.Random;

class AlphaBatchNormTest {

    private static final double[] MEAN = {0.5, -1.0, 2.0};
    private static final double[] VAR = {1.5, 0.25, 4.0};
    private static final double[] GAMMA = {1.2, 0.7, -0.4};
    private static final double[] BETA = {0.1, 0.0, 0.3};

    /** y for (N, C, L) input by explicit loops. */
    private static double[] reference(double[] x, int n, int c, int l, double alpha, double eps) {
        double[] y = new double[x.length];
        for (int ch = 0; ch < c; ch++) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < l; k++) {
                    mean += x[(i * c + ch) * l + k] / (n * l);
                }
            }
            double var = 0;
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < l; k++) {
                    double d = x[(i * c + ch) * l + k] - mean;
                    var += d * d / (n * l);
                }
            }
            double mixedMean = alpha * MEAN[ch] + (1 - alpha) * mean;
            double mixedVar = alpha * VAR[ch] + (1 - alpha) * var;
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < l; k++) {
                    int at = (i * c + ch) * l + k;
                    y[at] = GAMMA[ch] * (x[at] - mixedMean) / Math.sqrt(mixedVar + eps) + BETA[ch];
                }
            }
        }
        return y;
    }

    private static double[] forward(AlphaBatchNorm block, double[] x, Shape shape) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray input = m.create(x, shape);
            block.initialize(m, DataType.FLOAT64, shape);
            return block.forward(new ParameterStore(m, false), new NDList(input), false).singletonOrThrow().toDoubleArray();
        }
    }

    private static AlphaBatchNorm block(double alpha) {
        return AlphaBatchNorm.builder().setSourceMean(MEAN).setSourceVariance(VAR).setAlpha(alpha)
                .optGamma(GAMMA).optBeta(BETA).build();
    }

    @Test
    void mixesSourceAndBatchStatisticsAsTheReferenceDoes() {
        Random rng = new Random(1);
        double[] x = new double[5 * 3 * 4];
        for (int i = 0; i < x.length; i++) {
            x[i] = 2 * rng.nextGaussian() + 1;
        }
        for (double alpha : new double[] {0, 0.1, 0.5, 0.9, 1}) {
            Close.assertClose("alpha=" + alpha, forward(block(alpha), x, new Shape(5, 3, 4)),
                    reference(x, 5, 3, 4, alpha, 1e-5), 1e-10);
        }
    }

    @Test
    void alphaOneIsTheSourceModelAndAlphaZeroIgnoresTheSource() {
        Random rng = new Random(2);
        double[] x = new double[6 * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextGaussian();
        }
        double[] source = forward(block(1), x, new Shape(6, 3));
        for (int i = 0; i < 6; i++) {
            for (int c = 0; c < 3; c++) {
                assertThat(source[i * 3 + c]).isCloseTo(GAMMA[c] * (x[i * 3 + c] - MEAN[c]) / Math.sqrt(VAR[c] + 1e-5) + BETA[c],
                        org.assertj.core.data.Offset.offset(1e-12));
            }
        }
        AlphaBatchNorm otherSource = AlphaBatchNorm.builder().setSourceMean(9, 9, 9).setSourceVariance(7, 7, 7).setAlpha(0)
                .optGamma(GAMMA).optBeta(BETA).build();
        Close.assertClose("alpha = 0 does not read the source statistics", forward(otherSource, x, new Shape(6, 3)),
                forward(block(0), x, new Shape(6, 3)), 1e-12);
    }

    @Test
    void gradientsReachGammaBetaAndTheInputThroughTheBatchStatistics() {
        try (Model model = Model.newInstance("alpha-bn")) {
            model.setBlock(new SequentialBlock().add(Linear.builder().setUnits(3).build()).add(block(0.5)));
            try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(
                    io.github.lossforge.core.diagnostics.ClassConfusionLoss.builder().build())
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).build()))) {
                trainer.initialize(new Shape(8, 4));
                NDManager m = trainer.getManager();
                NDArray x = m.randomNormal(new Shape(8, 4));
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray out = trainer.forward(new NDList(x)).singletonOrThrow();
                    gc.backward(trainer.getLoss().evaluate(new NDList(), new NDList(out)));
                }
                for (var p : model.getBlock().getParameters()) {
                    Close.assertFinite(p.getKey(), p.getValue().getArray().getGradient().toType(DataType.FLOAT64, false).toDoubleArray());
                    assertThat(p.getValue().getArray().getGradient().abs().sum().getFloat()).as(p.getKey()).isGreaterThan(0);
                }
            }
        }
    }

    @Test
    void alphaOneBuiltFromATrainedBatchNormEqualsItsInferenceOutput() {
        try (NDManager m = NDManager.newBaseManager()) {
            Shape shape = new Shape(6, 3, 5);
            ai.djl.nn.norm.BatchNorm bn = ai.djl.nn.norm.BatchNorm.builder().build();
            bn.initialize(m, DataType.FLOAT32, shape);
            ParameterStore training = new ParameterStore(m, false);
            for (int step = 0; step < 5; step++) {
                bn.forward(training, new NDList(m.randomNormal(2, 3, shape, DataType.FLOAT32)), true);
            }
            NDArray x = m.randomNormal(0, 1, shape, DataType.FLOAT32);
            double[] expected = bn.forward(training, new NDList(x), false).singletonOrThrow()
                    .toType(DataType.FLOAT64, false).toDoubleArray();
            AlphaBatchNorm alphaBn = AlphaBatchNorm.fromBatchNorm(bn, 1, 1e-5);
            alphaBn.initialize(m, DataType.FLOAT32, shape);
            double[] got = alphaBn.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow()
                    .toType(DataType.FLOAT64, false).toDoubleArray();
            Close.assertClose("alpha = 1 vs the trained BatchNorm at inference", got, expected, 1e-5);
        }
    }

    @Test
    void singleSampleWithoutSpatialAxesStaysFinite() {
        double[] y = forward(block(0.3), new double[] {1, 2, 3}, new Shape(1, 3));
        Close.assertFinite("output for one sample", y);
    }

    @Test
    void rejectsBadConfigurationAndInputs() {
        assertThatThrownBy(() -> AlphaBatchNorm.builder().setSourceMean(MEAN).setSourceVariance(VAR).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alpha");
        assertThatThrownBy(() -> AlphaBatchNorm.builder().setSourceMean(MEAN).setSourceVariance(1, 2).setAlpha(0.5).build())
                .hasMessageContaining("channels");
        assertThatThrownBy(() -> AlphaBatchNorm.builder().setSourceMean(MEAN).setSourceVariance(1, -2, 1).setAlpha(0.5).build())
                .hasMessageContaining("≥ 0");
        assertThatThrownBy(() -> forward(block(0.5), new double[8], new Shape(2, 4)))
                .hasMessageContaining("(N, 3, …)");
    }
}

package io.github.lossforge.core.regression;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import io.github.lossforge.core.testkit.Generators;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.LossContract.BadInput;
import io.github.lossforge.core.testkit.Sample;
import io.github.lossforge.core.testkit.TrainingTask;

import java.util.List;
import java.util.Random;

/** Plain-Java pieces and a training task shared by the regression tests. */
final class RegressionTestKit {

    private RegressionTestKit() {}

    /** Row i of an (N, C) tensor. */
    static double[] row(HostTensor t, int i) {
        int c = t.dim(1);
        double[] r = new double[c];
        for (int k = 0; k < c; k++) {
            r[k] = t.at(i * c + k);
        }
        return r;
    }

    /** log softmax of a row, max-shifted. */
    static double[] logSoftmax(double[] x) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            m = Math.max(m, v);
        }
        double s = 0;
        for (double v : x) {
            s += Math.exp(v - m);
        }
        double lse = m + Math.log(s);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] - lse;
        }
        return out;
    }

    /** −Σ p_i log softmax(logits)_i. */
    static double softCrossEntropy(double[] logits, double[] p) {
        double[] ls = logSoftmax(logits);
        double l = 0;
        for (int i = 0; i < p.length; i++) {
            l -= p[i] * ls[i];
        }
        return l;
    }

    /**
     * A regression task: 4 features, a scalar target y = sin(x₀) + x₁/2, a model Linear(16) → ReLU →
     * Linear(outputs); labels are float32 (N).
     */
    static TrainingTask scalarRegression(int outputs, int batchSize) {
        return new TrainingTask() {
            @Override
            public Block model() {
                return new SequentialBlock()
                        .add(Linear.builder().setUnits(16).build())
                        .add(Activation::relu)
                        .add(Linear.builder().setUnits(outputs).build());
            }

            @Override
            public Shape inputShape() {
                return new Shape(batchSize, 4);
            }

            @Override
            public NDList[] batch(NDManager manager, Random rng, int step) {
                float[] x = new float[batchSize * 4];
                float[] y = new float[batchSize];
                for (int i = 0; i < batchSize; i++) {
                    for (int f = 0; f < 4; f++) {
                        x[i * 4 + f] = (float) rng.nextGaussian();
                    }
                    y[i] = (float) (Math.sin(x[i * 4]) + x[i * 4 + 1] / 2);
                }
                NDArray data = manager.create(x, new Shape(batchSize, 4));
                NDArray labels = manager.create(y, new Shape(batchSize));
                return new NDList[] {new NDList(data), new NDList(labels)};
            }
        };
    }

    /** The bad-input matrix of a histogram loss: (N, m) logits and (N) floating targets. */
    static List<BadInput> histogramBadInputs(Random rng, int bins) {
        HostTensor logits = Generators.normal(rng, 1, 4, bins);
        HostTensor y = Generators.normal(rng, 1, 4);
        return List.of(
                new BadInput("rank-3 logits", new Sample(List.of(y), List.of(logits.reshape(4, bins, 1))),
                        "predictions[0] (logits)", "(N, m)"),
                new BadInput("wrong number of bins",
                        new Sample(List.of(y), List.of(Generators.normal(rng, 1, 4, bins + 1))),
                        "predictions[0] (logits)", "(N, " + bins + ")"),
                new BadInput("rank-2 targets", new Sample(List.of(y.reshape(4, 1)), List.of(logits)),
                        "labels[0] (y)", "(4, 1)", "(N)"),
                new BadInput("batch mismatch", new Sample(List.of(y.firstRows(3)), List.of(logits)),
                        "labels[0] (y)", "(3)", "4"),
                new BadInput("NaN target",
                        new Sample(List.of(y.withData(new double[] {0, Double.NaN, 1, 2})), List.of(logits)),
                        "labels[0] (y)", "NaN"),
                new BadInput("missing target slot",
                        new Sample(List.of(), List.of(logits)), "labels"),
                new BadInput("extra prediction slot", new Sample(List.of(y), List.of(logits, logits)), "predictions"));
    }
}

package io.github.lossforge.core.classification;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.Reduction;
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

class TriBceLossTest extends LossContract {

    private static final long[][] SHAPES = {{1, 1}, {6, 1}, {11}};

    /** −[y log σ(x) + (1 − y) log(1 − σ(x))], written with log σ directly. */
    static double bce(double x, double y) {
        double logSig = x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
        double logOneMinus = logSig - x;
        return -(y * logSig + (1 - y) * logOneMinus);
    }

    /** The batch-mean BCEs {L (of the mean of the logits), L_D, L_S}. */
    static double[] batchBces(Sample s) {
        HostTensor d = s.prediction(0);
        HostTensor sl = s.prediction(1);
        HostTensor y = s.label(0);
        int n = d.size();
        double[] bces = new double[3];
        for (int i = 0; i < n; i++) {
            bces[0] += bce((d.at(i) + sl.at(i)) / 2, y.at(i)) / n;
            bces[1] += bce(d.at(i), y.at(i)) / n;
            bces[2] += bce(sl.at(i), y.at(i)) / n;
        }
        return bces;
    }

    /** L + max(0, L_D − L)·L_D + max(0, L_S − L)·L_S. */
    static Reference reference() {
        return s -> {
            double[] b = batchBces(s);
            return new double[] {b[0] + Math.max(0, b[1] - b[0]) * b[1] + Math.max(0, b[2] - b[0]) * b[2]};
        };
    }

    @Override
    protected boolean perSample() {
        return false;
    }

    @Override
    protected List<Variant> variants() {
        return List.of(new Variant("defaults", r -> TriBceLoss.builder().optReduction(r).build(), reference()));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        long[] sh = SHAPES[shape];
        return new Sample(List.of(Generators.bernoulli(rng, 0.4, sh)),
                List.of(Generators.normal(rng, 2.0, sh), Generators.normal(rng, 2.0, sh)));
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> TriBceLoss.builder().build()),
                new RegistryCase(Map.of("detachWeights", true),
                        () -> TriBceLoss.builder().optDetachWeights(true).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        HostTensor d = Generators.normal(rng, 1, 4, 1);
        HostTensor y = Generators.bernoulli(rng, 0.5, 4, 1);
        return List.of(
                new BadInput("two columns", new Sample(List.of(y), List.of(d.reshape(2, 2), d.reshape(2, 2))),
                        "predictions[0] (logit_D)", "(2, 2)", "(N, 1) or (N)"),
                new BadInput("logit_S of another shape", new Sample(List.of(y), List.of(d, d.reshape(4))),
                        "predictions[1] (logit_S)", "(4)", "(4, 1)"),
                new BadInput("labels of another batch", new Sample(List.of(y.firstRows(3)), List.of(d, d)),
                        "labels[0] (y)", "(3, 1)"),
                new BadInput("labels outside [0, 1]",
                        new Sample(List.of(y.withData(new double[] {0, 1, 2, 0})), List.of(d, d)),
                        "labels[0] (y)", "[0, 1]"),
                new BadInput("missing logit_S", new Sample(List.of(y), List.of(d)), "predictions"));
    }

    @Override
    protected TrainingTask trainingTask() {
        return ClassificationTasks.blobs(4, 2, 16, 2,
                out -> new NDList(out.singletonOrThrow().get(":, 0:1"), out.singletonOrThrow().get(":, 1:2")),
                (m, y, rng) -> {
                    float[] click = new float[y.length];
                    for (int i = 0; i < y.length; i++) {
                        click[i] = y[i];
                    }
                    return new NDList(m.create(click, new Shape(y.length, 1)));
                });
    }

    @Test
    void equalSubNetworkLogitsGiveThePlainBce() {
        Sample s = sample(1, new Random(1));
        Sample same = s.withPrediction(1, s.prediction(0));
        double got = Evaluation.of(TriBceLoss.builder().build(), same, DataType.FLOAT64).scalar();
        double plain = 0;
        for (int i = 0; i < s.prediction(0).size(); i++) {
            plain += bce(s.prediction(0).at(i), s.label(0).at(i)) / s.prediction(0).size();
        }
        Close.assertClose("tri-bce with logit_D = logit_S vs BCE", new double[] {got}, new double[] {plain}, 1e-12);
    }

    @Test
    void fusedPredictionIsTheMeanOfLogitsNotOfProbabilities() {
        // logits (4, −2): the mean of the logits gives σ(1) = 0.731, the mean of the probabilities
        // (σ(4) + σ(−2))/2 = 0.550 would give another L. With y = 1, L = −log σ(1).
        Sample s = new Sample(List.of(HostTensor.floats(new double[] {1}, 1, 1)),
                List.of(HostTensor.floats(new double[] {4}, 1, 1), HostTensor.floats(new double[] {-2}, 1, 1)));
        double l = -Math.log(1 / (1 + Math.exp(-1)));
        double ld = -Math.log(1 / (1 + Math.exp(-4)));
        double ls = -Math.log(1 / (1 + Math.exp(2)));
        double expected = l + Math.max(0, ld - l) * ld + Math.max(0, ls - l) * ls;
        double got = Evaluation.of(TriBceLoss.builder().build(), s, DataType.FLOAT64).scalar();
        Close.assertClose("tri-bce on one sample", new double[] {got}, new double[] {expected}, 1e-12);
    }

    @Test
    void detachedWeightsGiveTheGradientOfAWeightedSumWithConstantWeights() {
        Sample s = sample(2, new Random(3));
        HostTensor d = s.prediction(0);
        HostTensor sl = s.prediction(1);
        HostTensor y = s.label(0);
        int n = d.size();
        double[] b = batchBces(s);
        double wd = Math.max(0, b[1] - b[0]);
        double ws = Math.max(0, b[2] - b[0]);
        double[] gd = new double[n];
        double[] gs = new double[n];
        for (int i = 0; i < n; i++) {
            double fusedResidual = 1 / (1 + Math.exp(-(d.at(i) + sl.at(i)) / 2)) - y.at(i);
            gd[i] = (fusedResidual / 2 + wd * (1 / (1 + Math.exp(-d.at(i))) - y.at(i))) / n;
            gs[i] = (fusedResidual / 2 + ws * (1 / (1 + Math.exp(-sl.at(i))) - y.at(i))) / n;
        }
        Evaluation e = Evaluation.of(TriBceLoss.builder().optDetachWeights(true).build(), s, DataType.FLOAT64);
        Close.assertClose("detached tri-bce value", e.value(), reference().perSample(s), 1e-12);
        Close.assertClose("detached gradient of logit_D", e.gradient(0), gd, 1e-10);
        Close.assertClose("detached gradient of logit_S", e.gradient(1), gs, 1e-10);
    }
}

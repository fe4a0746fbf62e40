package io.github.lossforge.core.classification;

import static io.github.lossforge.core.classification.ClassificationReferences.logSumExp;
import static io.github.lossforge.core.classification.ClassificationReferences.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.Losses;
import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.testkit.Close;
import io.github.lossforge.core.testkit.Evaluation;
import io.github.lossforge.core.testkit.Generators;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.LeakCheck;
import io.github.lossforge.core.testkit.LossContract;
import io.github.lossforge.core.testkit.Reference;
import io.github.lossforge.core.testkit.Sample;
import io.github.lossforge.core.testkit.Stencil;
import io.github.lossforge.core.testkit.TrainingTask;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The contract runs on the loss in its validation mode ({@code setUpdating(false)}) with a λ buffer
 * loaded from a checkpoint: there λ is a per-sample constant and every contract check (value,
 * gradient, finite differences, reductions, dtypes, GC, leak) applies as to any loss. In the training
 * mode λ is recomputed from the logits but is a constant for backprop, so finite differences of the
 * value would include dλ/dz; the tests below check that mode against a plain-Java replay of the
 * official update instead, step by step, with the gradient compared at fixed λ.
 */
class AdaptiveLdrKlLossTest extends LossContract {

    private static final int NUM_SAMPLES = 50;
    private static final long[][] SHAPES = {{1, 3}, {6, 4}, {9, 10}};

    /** A checkpointed λ buffer: λ₀ times a factor in (0.55, 1]. */
    static double[] checkpoint(double lambda0) {
        double[] l = new double[NUM_SAMPLES];
        for (int id = 0; id < NUM_SAMPLES; id++) {
            l[id] = lambda0 * (0.55 + 0.45 * ((id * 37) % 100 + 1) / 100.0);
        }
        return l;
    }

    /** z = f, f/(Σ|f|/C) or softplus(f)/(Σ softplus/C). */
    static double[] scores(double[] f, String normalize) {
        int c = f.length;
        double[] z = f.clone();
        if (normalize.equals("none")) {
            return z;
        }
        if (normalize.equals("softplus-l1")) {
            for (int k = 0; k < c; k++) {
                z[k] = Math.log1p(Math.exp(z[k]));
            }
        }
        double l1 = 0;
        for (double v : z) {
            l1 += Math.abs(v);
        }
        for (int k = 0; k < c; k++) {
            z[k] = z[k] / (l1 / c);
        }
        return z;
    }

    /** λ₀ − λ₀ KL(p ‖ u)/(α log C), p = renorm(softmax(z/λ_prev) + 1e-5). */
    static double updatedLambda(double[] z, double previous, double lambda0, double alpha) {
        int c = z.length;
        double[] scaled = new double[c];
        for (int k = 0; k < c; k++) {
            scaled[k] = z[k] / previous;
        }
        double lse = logSumExp(scaled);
        double[] p = new double[c];
        double total = 0;
        for (int k = 0; k < c; k++) {
            p[k] = Math.exp(scaled[k] - lse) + 1e-5;
            total += p[k];
        }
        double kl = 0;
        for (int k = 0; k < c; k++) {
            p[k] /= total;
            kl += p[k] * Math.log(p[k] * c);
        }
        return lambda0 - lambda0 * kl / (alpha * Math.log(c));
    }

    /** λ log((1/C) Σ exp((c·1[k≠y] + z_k − z_y)/λ)) − (α log C/(2λ₀))(λ − λ₀)². */
    static double value(double[] z, int y, double lambda, double margin, double lambda0, double alpha) {
        int c = z.length;
        double[] m = new double[c];
        for (int k = 0; k < c; k++) {
            m[k] = ((k == y ? 0 : margin) + z[k] - z[y]) / lambda;
        }
        return lambda * (logSumExp(m) - Math.log(c))
                - alpha * Math.log(c) / (2 * lambda0) * (lambda - lambda0) * (lambda - lambda0);
    }

    /** The validation-mode reference: λ of each row read from the checkpoint. */
    static Reference frozenReference(double lambda0, double alpha, double margin, String normalize) {
        double[] lambdas = checkpoint(lambda0);
        return s -> {
            HostTensor logits = s.prediction(0);
            double[] out = new double[logits.dim(0)];
            for (int i = 0; i < out.length; i++) {
                double[] z = scores(row(logits, i), normalize);
                out[i] = value(z, s.label(0).index(i), lambdas[s.label(1).index(i)], margin, lambda0, alpha);
            }
            return out;
        };
    }

    private static AdaptiveLdrKlLoss.Builder builder(double lambda0, double alpha, double margin, String normalize) {
        return AdaptiveLdrKlLoss.builder().optLambda0(lambda0).optAlpha(alpha).optMargin(margin)
                .optNormalize(normalize).setNumSamples(NUM_SAMPLES);
    }

    private static Variant frozen(double lambda0, double alpha, double margin, String normalize) {
        return new Variant("validation mode, lambda0=" + lambda0 + ", alpha=" + alpha + ", margin=" + margin
                + ", " + normalize,
                r -> {
                    AdaptiveLdrKlLoss loss = builder(lambda0, alpha, margin, normalize).optReduction(r).build();
                    loss.loadLambdas(checkpoint(lambda0));
                    loss.setUpdating(false);
                    return loss;
                },
                frozenReference(lambda0, alpha, margin, normalize));
    }

    @Override
    protected List<Variant> variants() {
        return List.of(
                frozen(10, 2, 0.1, "l1"),
                frozen(1, 3, 0.5, "none"),
                frozen(0.5, 1.5, 0.1, "softplus-l1"));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        int n = (int) SHAPES[shape][0];
        int c = (int) SHAPES[shape][1];
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = (i * 13 + shape * 7) % NUM_SAMPLES;
        }
        return new Sample(List.of(Generators.classes(rng, c, n), HostTensor.longs(ids, n)),
                List.of(Generators.normal(rng, 1.5, n, c)));
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of("numSamples", NUM_SAMPLES),
                        () -> AdaptiveLdrKlLoss.builder().setNumSamples(NUM_SAMPLES).build()),
                new RegistryCase(Map.of("numSamples", 50.0, "lambda0", 1, "alpha", 3, "margin", 0.5,
                        "normalize", "softplus-l1", "reduction", "sum"),
                        () -> builder(1, 3, 0.5, "softplus-l1").optReduction(Reduction.SUM).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        HostTensor ids = HostTensor.longs(new long[] {0, 1, 2, 3}, 4);
        HostTensor logits = Generators.normal(rng, 1, 4, 3);
        HostTensor targets = Generators.classes(rng, 3, 4);
        List<BadInput> cases = new java.util.ArrayList<>(
                ClassificationBadInputs.forScoresAndTargets(rng, "logits", "(N, C)", List.of(ids)));
        cases.add(new BadInput("sample id beyond numSamples",
                new Sample(List.of(targets, HostTensor.longs(new long[] {0, 1, 50, 3}, 4)), List.of(logits)),
                "labels[1] (sample ids)", "50", "[0, 50)"));
        cases.add(new BadInput("negative sample id",
                new Sample(List.of(targets, HostTensor.longs(new long[] {0, -1, 2, 3}, 4)), List.of(logits)),
                "labels[1] (sample ids)", "-1"));
        cases.add(new BadInput("floating sample ids",
                new Sample(List.of(targets, ids.withType(DataType.FLOAT32)), List.of(logits)),
                "labels[1] (sample ids)", "int64"));
        cases.add(new BadInput("sample ids of another batch",
                new Sample(List.of(targets, ids.firstRows(3)), List.of(logits)), "labels[1] (sample ids)", "(3)"));
        cases.add(new BadInput("missing sample ids", new Sample(List.of(targets), List.of(logits)), "labels"));
        cases.add(new BadInput("a single class",
                new Sample(List.of(HostTensor.longs(new long[] {0, 0, 0, 0}, 4), ids),
                        List.of(Generators.normal(rng, 1, 4, 1))),
                "predictions[0] (logits)", "at least 2 classes"));
        return cases;
    }

    @Override
    protected TrainingTask trainingTask() {
        return ClassificationTasks.blobs(4, 5, 16, 5, out -> out, (m, y, rng) -> {
            long[] ids = new long[y.length];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = rng.nextInt(NUM_SAMPLES);
            }
            return new NDList(m.create(y), m.create(ids));
        });
    }

    // ---- the training mode: the official update, replayed in plain Java ----

    @Test
    void trainingModeFollowsTheOfficialUpdateOverFourStepsWithRepeatedIds() {
        for (String normalize : List.of("l1", "softplus-l1", "none")) {
            AdaptiveLdrKlLoss loss = builder(10, 2, 0.1, normalize).optReduction(Reduction.NONE).build();
            double[] lambdas = new double[NUM_SAMPLES];
            Arrays.fill(lambdas, 10);
            Random rng = new Random(21);
            for (int step = 0; step < 4; step++) {
                int n = 6;
                long[] ids = new long[n];
                for (int i = 0; i < n; i++) {
                    ids[i] = (i + 3L * step) % 8;
                }
                Sample s = new Sample(List.of(Generators.classes(rng, 4, n), HostTensor.longs(ids, n)),
                        List.of(Generators.normal(rng, 2.0, n, 4)));
                double[] expected = new double[n];
                for (int i = 0; i < n; i++) {
                    double[] z = scores(row(s.prediction(0), i), normalize);
                    double lambda = updatedLambda(z, lambdas[(int) ids[i]], 10, 2);
                    lambdas[(int) ids[i]] = lambda;
                    expected[i] = value(z, s.label(0).index(i), lambda, 0.1, 10, 2);
                }
                double[] got = Evaluation.of(loss, s, DataType.FLOAT64).value();
                Close.assertClose(normalize + ", step " + step + ": values", got, expected, 1e-10);
                Close.assertClose(normalize + ", step " + step + ": λ buffer", loss.lambdas(), lambdas, 1e-10);
            }
        }
    }

    @Test
    void rowsSharingASampleIdUseTheLambdaStoredLast() {
        HostTensor logits = HostTensor.floats(new double[] {2, -1, 0.5, 0.1, 0.2, 0.3}, 2, 3);
        Sample s = new Sample(List.of(HostTensor.longs(new long[] {0, 2}, 2), HostTensor.longs(new long[] {7, 7}, 2)),
                List.of(logits));
        AdaptiveLdrKlLoss loss = builder(10, 2, 0.1, "none").optReduction(Reduction.NONE).build();
        double[] got = Evaluation.of(loss, s, DataType.FLOAT64).value();
        double last = updatedLambda(row(logits, 1), 10, 10, 2);
        assertThat(loss.lambdas()[7]).isCloseTo(last, within(1e-12));
        Close.assertClose("both rows at the last row's λ", got,
                new double[] {value(row(logits, 0), 0, last, 0.1, 10, 2), value(row(logits, 1), 2, last, 0.1, 10, 2)},
                1e-10);
    }

    @Test
    void trainingModeGradientTreatsLambdaAsAConstant() {
        Sample s = sample(2, new Random(22));
        HostTensor logits = s.prediction(0);
        int n = logits.dim(0);
        double[] lambda = new double[n];
        for (int i = 0; i < n; i++) {
            lambda[i] = updatedLambda(scores(row(logits, i), "l1"), 10, 10, 2);
        }
        double[] expected = Stencil.gradient(x -> {
            HostTensor perturbed = logits.withData(x);
            double total = 0;
            for (int i = 0; i < n; i++) {
                total += value(scores(row(perturbed, i), "l1"), s.label(0).index(i), lambda[i], 0.1, 10, 2) / n;
            }
            return total;
        }, logits.data(), 1e-4);
        Evaluation e = Evaluation.of(builder(10, 2, 0.1, "l1").build(), s, DataType.FLOAT64);
        Close.assertClose("gradient with λ held at its updated value", e.gradient(0), expected, 1e-6);
    }

    @Test
    void lambdaStaysWithinItsClosedFormRange() {
        AdaptiveLdrKlLoss loss = builder(4, 2.5, 0.1, "none").build();
        Sample confident = new Sample(
                List.of(HostTensor.longs(new long[] {0, 1}, 2), HostTensor.longs(new long[] {0, 1}, 2)),
                List.of(HostTensor.floats(new double[] {1e4, 0, 0, -1e4, 0, 0}, 2, 3)));
        Sample uniform = new Sample(
                List.of(HostTensor.longs(new long[] {0}, 1), HostTensor.longs(new long[] {2}, 1)),
                List.of(HostTensor.floats(new double[] {0.3, 0.3, 0.3}, 1, 3)));
        Close.assertFinite("value at ±1e4", Evaluation.of(loss, confident, DataType.FLOAT32).value());
        Evaluation.of(loss, uniform, DataType.FLOAT64);
        double[] l = loss.lambdas();
        for (double v : l) {
            assertThat(v).isBetween(4 * (1 - 1 / 2.5) - 1e-9, 4.0);
        }
        assertThat(l[0]).as("a one-hot p has KL ≈ log C: λ ≈ λ₀(1 − 1/α)").isCloseTo(2.4, within(1e-3));
        assertThat(l[2]).as("a uniform p has KL = 0: λ = λ₀").isCloseTo(4.0, within(1e-12));
    }

    private static org.assertj.core.data.Offset<Double> within(double d) {
        return org.assertj.core.data.Offset.offset(d);
    }

    @Test
    void resetStateRestoresLambda0AndCheckpointsRoundTrip() {
        AdaptiveLdrKlLoss loss = builder(10, 2, 0.1, "l1").build();
        Evaluation.of(loss, sample(2, new Random(23)), DataType.FLOAT64);
        double[] trained = loss.lambdas();
        assertThat(Arrays.stream(trained).min().getAsDouble()).as("the update moved some λ").isLessThan(10);
        AdaptiveLdrKlLoss restored = builder(10, 2, 0.1, "l1").build();
        restored.loadLambdas(trained);
        assertThat(restored.lambdas()).containsExactly(trained);
        loss.resetState();
        assertThat(loss.lambdas()).containsOnly(10.0);
        assertThatThrownBy(() -> loss.loadLambdas(new double[3]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("aldr-kl").hasMessageContaining("50");
        double[] bad = checkpoint(10);
        bad[7] = 0;
        assertThatThrownBy(() -> loss.loadLambdas(bad))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sample 7");
    }

    @Test
    void validationModeUsesStoredLambdaAndWritesNothing() {
        AdaptiveLdrKlLoss loss = builder(10, 2, 0.1, "l1").build();
        Evaluation.of(loss, sample(1, new Random(24)), DataType.FLOAT64);
        double[] before = loss.lambdas();
        loss.setUpdating(false);
        assertThat(loss.isUpdating()).isFalse();
        Sample other = sample(2, new Random(25));
        double[] got = Evaluation.of(builderNone(loss), other, DataType.FLOAT64).value();
        assertThat(loss.lambdas()).containsExactly(before);
        double[] expected = new double[got.length];
        for (int i = 0; i < got.length; i++) {
            double[] z = scores(row(other.prediction(0), i), "l1");
            expected[i] = value(z, other.label(0).index(i), before[other.label(1).index(i)], 0.1, 10, 2);
        }
        Close.assertClose("validation-mode values", got, expected, 1e-10);
    }

    /** The same state seen per sample: a {@code none}-reduction twin with the given loss's λ buffer. */
    private static AdaptiveLdrKlLoss builderNone(AdaptiveLdrKlLoss state) {
        AdaptiveLdrKlLoss twin = builder(10, 2, 0.1, "l1").optReduction(Reduction.NONE).build();
        twin.loadLambdas(state.lambdas());
        twin.setUpdating(state.isUpdating());
        return twin;
    }

    @Test
    void trainingModeGradientSurvivesGarbageCollectionBetweenForwardAndBackward() {
        Sample s = sample(1, new Random(26));
        Evaluation plain = Evaluation.of(builder(10, 2, 0.1, "l1").build(), s, DataType.FLOAT64);
        Evaluation scrubbed = Evaluation.of(builder(10, 2, 0.1, "l1").build(), s, DataType.FLOAT64, true);
        assertThat(scrubbed.gradient(0)).containsExactly(plain.gradient(0));
    }

    @Test
    void trainingModeTrainsWithoutLeakingArraysAndAdaptsLambda() {
        AdaptiveLdrKlLoss loss = builder(10, 2, 0.1, "l1").build();
        LeakCheck.assertNoLeak(loss, trainingTask(), 200);
        assertThat(Arrays.stream(loss.lambdas()).min().getAsDouble()).as("λ adapted during training").isLessThan(10);
    }

    @Test
    void djlsSecondEvaluationForTheAccumulatorsDoesNotUpdateTheStateTwice() {
        AdaptiveLdrKlLoss loss = builder(10, 2, 0.1, "l1").build();
        loss.addAccumulator("train");
        Sample s = sample(1, new Random(27));
        try (NDManager manager = NDManager.newBaseManager()) {
            // float32: DJL's accumulator reads the value as a float
            NDList labels = s.labelList(manager, DataType.FLOAT32);
            NDList predictions = s.predictionList(manager, DataType.FLOAT32);
            loss.evaluate(labels, predictions);
            double[] once = loss.lambdas();
            loss.updateAccumulators(new String[] {"train"}, labels, predictions);
            assertThat(loss.lambdas()).as("after the accumulator update").containsExactly(once);
            loss.evaluate(labels, predictions);
            assertThat(loss.lambdas()).as("a second training evaluation adapts again").isNotEqualTo(once);
        }
    }

    @Test
    void largeAlphaPinsLambdaAtLambda0AndGivesLdrKl() {
        Sample s = sample(2, new Random(28));
        Sample targetsOnly = new Sample(List.of(s.label(0)), List.of(s.prediction(0)));
        double[] adaptive = Evaluation.of(builder(3, 1e9, 0.2, "none").optReduction(Reduction.NONE).build(), s,
                DataType.FLOAT64).value();
        double[] fixed = Evaluation.of(LdrKlLoss.builder().optLambda(3).optMargin(0.2).optReduction(Reduction.NONE)
                .build(), targetsOnly, DataType.FLOAT64).value();
        Close.assertClose("ALDR-KL(α → ∞) vs LDR-KL(λ₀)", adaptive, fixed, 1e-8);
    }

    @Test
    void rejectsAlphaAtMostOneAndAMissingNumSamples() {
        assertThatThrownBy(() -> AdaptiveLdrKlLoss.builder().optAlpha(1).setNumSamples(5).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("aldr-kl").hasMessageContaining("alpha");
        assertThatThrownBy(() -> AdaptiveLdrKlLoss.builder().build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("numSamples");
        assertThatThrownBy(() -> Losses.create("aldr-kl", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("numSamples")
                .hasMessageContaining("required");
    }
}

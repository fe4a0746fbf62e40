package io.github.lossforge.contrastive.face;

import static io.github.lossforge.contrastive.PairReferences.dot;
import static io.github.lossforge.contrastive.PairReferences.logSumExp;
import static io.github.lossforge.contrastive.PairReferences.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.BaseLoss;
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

/** The contract of {@code arcface} (the variants and registry of {@link CosFaceLossTest} cover cosface). */
class MarginSoftmaxLossTest extends LossContract {

    /** N, D, C. */
    static final int[][] SHAPES = {{1, 3, 2}, {5, 4, 3}, {8, 6, 5}};

    static Sample randomSample(int shape, Random rng) {
        int n = SHAPES[shape][0];
        int d = SHAPES[shape][1];
        int c = SHAPES[shape][2];
        return new Sample(List.of(Generators.classes(rng, c, n)),
                List.of(Generators.normal(rng, 1, n, d), Generators.normal(rng, 1, c, d)));
    }

    /** The target's margin cosine by the angle itself: cos(acos(c) + m), or the fallback / CosFace form. */
    static double marginCosine(double c, boolean arc, double m, boolean fallback) {
        if (!arc) {
            return c - m;
        }
        double theta = Math.acos(c);
        if (fallback && theta > Math.PI - m) {
            return c - m * Math.sin(m);
        }
        return Math.cos(theta + m);
    }

    /** Per-sample cross-entropy of s·[cosines with the target's margin cosine], by loops. */
    static Reference reference(boolean arc, double s, double m, boolean fallback) {
        return sample -> {
            double[][] x = rows(sample.prediction(0), true);
            double[][] w = rows(sample.prediction(1), true);
            double[] out = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                int y = sample.label(0).index(i);
                double[] logits = new double[w.length];
                for (int j = 0; j < w.length; j++) {
                    double c = dot(x[i], w[j]);
                    logits[j] = s * (j == y ? marginCosine(c, arc, m, fallback) : c);
                }
                out[i] = logSumExp(logits) - logits[y];
            }
            return out;
        };
    }

    private static Variant arc(double s, double m, boolean fallback) {
        return new Variant("arcface s " + s + " m " + m + " fallback " + fallback,
                r -> MarginSoftmaxLoss.arcFace().optScale(s).optMargin(m).optFallback(fallback).optReduction(r).build(),
                reference(true, s, m, fallback));
    }

    @Override
    protected List<Variant> variants() {
        return List.of(arc(64, 0.5, true), arc(8, 0.3, true), arc(16, 0.5, false), arc(4, 1.2, true));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        return randomSample(shape, rng);
    }

    @Override
    protected TrainingTask trainingTask() {
        return FaceTasks.embeddingsWithClassWeights(4, 3, 12, 6);
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> MarginSoftmaxLoss.arcFace().build()),
                new RegistryCase(Map.of("scale", 30, "margin", 0.2, "fallback", false, "reduction", "sum"),
                        () -> MarginSoftmaxLoss.arcFace().optScale(30).optMargin(0.2).optFallback(false)
                                .optReduction(Reduction.SUM).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        return FaceBadInputs.forEmbeddingsWeightsAndClasses(rng);
    }

    /** Unit vectors in the plane at the given angles (degrees). */
    static HostTensor atAngles(double... degrees) {
        double[] d = new double[2 * degrees.length];
        for (int i = 0; i < degrees.length; i++) {
            d[2 * i] = Math.cos(Math.toRadians(degrees[i]));
            d[2 * i + 1] = Math.sin(Math.toRadians(degrees[i]));
        }
        return HostTensor.floats(d, degrees.length, 2);
    }

    /** Plain scaled softmax cross-entropy of s·cos, by loops. */
    static double[] scaledSoftmaxCrossEntropy(Sample sample, double s) {
        double[][] x = rows(sample.prediction(0), true);
        double[][] w = rows(sample.prediction(1), true);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double[] logits = new double[w.length];
            for (int j = 0; j < w.length; j++) {
                logits[j] = s * dot(x[i], w[j]);
            }
            out[i] = logSumExp(logits) - logits[sample.label(0).index(i)];
        }
        return out;
    }

    @Test
    void zeroMarginEqualsScaledSoftmaxCrossEntropyForBothHeads() {
        Sample s = randomSample(2, new Random(3));
        double[] expected = scaledSoftmaxCrossEntropy(s, 16);
        for (BaseLoss loss : new BaseLoss[] {
                MarginSoftmaxLoss.arcFace().optScale(16).optMargin(0).optReduction(Reduction.NONE).build(),
                MarginSoftmaxLoss.cosFace().optScale(16).optMargin(0).optReduction(Reduction.NONE).build()}) {
            Close.assertClose(loss.id() + " with m = 0", Evaluation.valueOf(loss, s, DataType.FLOAT64), expected, 1e-12);
        }
    }

    @Test
    void targetAngleBeyondPiMinusMarginUsesTheLinearFallback() {
        // Target class 0 at 170° from the embedding: θ > π − 0.5 rad (151.4°).
        Sample s = new Sample(List.of(HostTensor.longs(new long[] {0}, 1)),
                List.of(atAngles(0), atAngles(170, 90)));
        double c = Math.cos(Math.toRadians(170));
        double other = 64 * Math.cos(Math.toRadians(90));
        double withFallback = 64 * (c - 0.5 * Math.sin(0.5));
        double plain = 64 * Math.cos(Math.toRadians(170) + 0.5);
        double gotFallback = Evaluation.valueOf(MarginSoftmaxLoss.arcFace().build(), s, DataType.FLOAT64)[0];
        double gotPlain = Evaluation.valueOf(MarginSoftmaxLoss.arcFace().optFallback(false).build(), s,
                DataType.FLOAT64)[0];
        Close.assertClose("fallback c − m sin m", new double[] {gotFallback},
                new double[] {logSumExp(new double[] {withFallback, other}) - withFallback}, 1e-12);
        Close.assertClose("cos(θ + m) without fallback", new double[] {gotPlain},
                new double[] {logSumExp(new double[] {plain, other}) - plain}, 1e-12);
        // Past π − m, cos(θ + m) rises again with θ: the fallback keeps the target logit lower.
        assertThat(plain).isGreaterThan(withFallback);
    }

    @Test
    void marginRaisesTheLossOfACorrectlyClassifiedSample() {
        Sample s = new Sample(List.of(HostTensor.longs(new long[] {0}, 1)), List.of(atAngles(10), atAngles(0, 60)));
        double plain = Evaluation.valueOf(MarginSoftmaxLoss.arcFace().optMargin(0).build(), s, DataType.FLOAT64)[0];
        double margin = Evaluation.valueOf(MarginSoftmaxLoss.arcFace().build(), s, DataType.FLOAT64)[0];
        // With m = 0.5 rad (28.6°) the target sits at 38.6°, nearer the 60° class.
        double expected = Math.log(1 + Math.exp(64 * (Math.cos(Math.toRadians(50)) - Math.cos(Math.toRadians(10) + 0.5))));
        Close.assertClose("margin loss", new double[] {margin}, new double[] {expected}, 1e-10);
        assertThat(margin).isGreaterThan(plain);
    }

    @Test
    void embeddingOnItsClassWeightKeepsAFiniteGradient() {
        // c = 1 exactly: acos has an infinite slope there, the sine form with its floor does not.
        Sample s = new Sample(List.of(HostTensor.longs(new long[] {0, 1}, 2)),
                List.of(atAngles(0, 90), atAngles(0, 90, 180)));
        for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
            Evaluation e = Evaluation.of(MarginSoftmaxLoss.arcFace().build(), s, type);
            Close.assertFinite("value " + type, e.value());
            Close.assertFinite("embedding gradient " + type, e.gradient(0));
            Close.assertFinite("weight gradient " + type, e.gradient(1));
        }
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> MarginSoftmaxLoss.arcFace().optScale(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("arcface").hasMessageContaining("scale");
        assertThatThrownBy(() -> MarginSoftmaxLoss.arcFace().optMargin(2).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("arcface").hasMessageContaining("margin");
        assertThatThrownBy(() -> MarginSoftmaxLoss.cosFace().optMargin(-0.1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cosface").hasMessageContaining("margin");
        assertThatThrownBy(() -> MarginSoftmaxLoss.cosFace().optFallback(false).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cosface").hasMessageContaining("fallback");
    }
}

package io.github.lossforge.contrastive.retrieval;

import static io.github.lossforge.contrastive.PairReferences.row;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
import io.github.lossforge.contrastive.EmbeddingTasks;
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

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

class SoftTopKLossTest extends LossContract {

    /** B, L, the row without positives (−1: none). */
    private static final int[][] SHAPES = {{1, 7, -1}, {4, 9, 1}, {6, 12, -1}};

    private static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    /** The soft top-k memberships of one row: t by 200 bisection steps in double, p = σ(α(x + t)). */
    static double[] memberships(double[] x, double k, double alpha) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            lo = Math.min(lo, -v);
            hi = Math.max(hi, -v);
        }
        lo -= 50 / alpha;
        hi += 50 / alpha;
        for (int it = 0; it < 200; it++) {
            double mid = 0.5 * (lo + hi);
            double sum = 0;
            for (double v : x) {
                sum += sigmoid(alpha * (v + mid));
            }
            if (sum > k) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        double t = 0.5 * (lo + hi);
        double[] p = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            p[j] = sigmoid(alpha * (x[j] + t));
        }
        return p;
    }

    /** −mean over positives of log p, rows with positives averaged. */
    static Reference reference(double k, double alpha) {
        return new Reference() {
            @Override
            public double[] perSample(Sample s) {
                HostTensor scores = s.prediction(0);
                double[] out = new double[scores.dim(0)];
                for (int i = 0; i < out.length; i++) {
                    double[] p = memberships(row(scores, i), k, alpha);
                    boolean[] positive = RetrievalSamples.positives(s.label(0), i);
                    double total = 0;
                    int count = 0;
                    for (int j = 0; j < p.length; j++) {
                        if (positive[j]) {
                            total -= Math.log(p[j]);
                            count++;
                        }
                    }
                    out[i] = count == 0 ? 0 : total / count;
                }
                return out;
            }

            @Override
            public double mean(Sample s) {
                return RetrievalSamples.meanOverRowsWithPositives(s, perSample(s), 0);
            }
        };
    }

    private static Variant variant(double k, double alpha, long iterations) {
        return new Variant("k " + k + " alpha " + alpha + " iterations " + iterations, r -> SoftTopKLoss.builder()
                .optK(k).optAlpha(alpha).optIterations(iterations).optReduction(r).build(), reference(k, alpha));
    }

    @Override
    protected List<Variant> variants() {
        return List.of(variant(5, 2, 32), variant(2.5, 5, 32), variant(3, 0.5, 8));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        int b = SHAPES[shape][0];
        int l = SHAPES[shape][1];
        return new Sample(List.of(RetrievalSamples.mask(rng, b, l, 0.3, SHAPES[shape][2])),
                List.of(Generators.normal(rng, 1.5, b, l)));
    }

    @Override
    protected TrainingTask trainingTask() {
        return EmbeddingTasks.scoresWithPositiveMask(4, 8, 12);
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> SoftTopKLoss.builder().build()),
                new RegistryCase(Map.of("k", 3, "alpha", 0.5, "iterations", 8, "reduction", "sum"),
                        () -> SoftTopKLoss.builder().optK(3).optAlpha(0.5).optIterations(8)
                                .optReduction(Reduction.SUM).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        List<BadInput> cases = new ArrayList<>(RetrievalSamples.badInputs(rng, "scores", "positive mask"));
        cases.add(new BadInput("k not below L",
                new Sample(List.of(RetrievalSamples.mask(rng, 2, 5, 0.4, -1)), List.of(Generators.normal(rng, 1, 2, 5))),
                "predictions[0] (scores)", "(2, 5)", "k = 5"));
        return cases;
    }

    @Test
    void equalScoresGiveEveryCandidateMembershipKOverL() {
        Sample s = new Sample(List.of(HostTensor.floats(new double[] {0, 1, 0, 0, 0, 0, 0, 0}, 1, 8)),
                List.of(HostTensor.floats(new double[] {0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3}, 1, 8)));
        double got = Evaluation.of(SoftTopKLoss.builder().optK(2).build(), s, DataType.FLOAT64).scalar();
        Close.assertClose("−log(k/L)", new double[] {got}, new double[] {-Math.log(2.0 / 8)}, 1e-10);
    }

    @Test
    void gradientIsTheOfficialImplicitFunctionBackward() {
        // One positive j: ∂ℓ/∂x_l = −α(1 − p_j)(δ_jl − v_l/Σv), v = p(1 − p).
        double[] x = Generators.normal(new Random(1), 1.5, 10).data();
        int j = 3;
        double alpha = 2;
        double[] mask = new double[10];
        mask[j] = 1;
        Sample s = new Sample(List.of(HostTensor.floats(mask, 1, 10)), List.of(HostTensor.floats(x, 1, 10)));
        double[] grad = Evaluation.of(SoftTopKLoss.builder().optAlpha(alpha).build(), s, DataType.FLOAT64).gradient(0);
        double[] p = memberships(x, 5, alpha);
        double sumV = 0;
        for (double q : p) {
            sumV += q * (1 - q);
        }
        double[] expected = new double[10];
        for (int l = 0; l < 10; l++) {
            expected[l] = -alpha * (1 - p[j]) * ((l == j ? 1 : 0) - p[l] * (1 - p[l]) / sumV);
        }
        Close.assertClose("implicit-function gradient", grad, expected, 1e-9);
    }

    @Test
    void aCoarseBisectionIsRefinedToTheExactThreshold() {
        Sample s = sample(2, new Random(2));
        double exact = reference(5, 2).mean(s);
        double coarse = Evaluation.of(SoftTopKLoss.builder().optIterations(12).build(), s, DataType.FLOAT64).scalar();
        Close.assertClose("12 bisection steps + Newton", new double[] {coarse}, new double[] {exact}, 1e-12);
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> SoftTopKLoss.builder().optK(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("soft-top-k").hasMessageContaining("k");
        assertThatThrownBy(() -> SoftTopKLoss.builder().optAlpha(-2).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alpha");
        assertThatThrownBy(() -> SoftTopKLoss.builder().optIterations(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("iterations");
    }
}

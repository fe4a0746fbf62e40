package io.github.lossforge.contrastive.mixup;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
import io.github.lossforge.contrastive.pairs.MultiSimilarityLoss;
import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.testkit.Close;
import io.github.lossforge.core.testkit.Evaluation;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.LossContract;
import io.github.lossforge.core.testkit.Sample;
import io.github.lossforge.core.testkit.TrainingTask;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

/** The contrastive and multi-similarity bases (per-anchor values). */
class MetrixLossTest extends LossContract {

    private static Variant contrastive(String name, double w, double margin) {
        return new Variant(name, r -> MetrixLoss.builder().optMixWeight(w).optMargin(margin).optReduction(r).build(),
                MetrixFixtures.anchorReference(true, w, margin, 0, 0, 0));
    }

    private static Variant multiSimilarity(String name, double w, double alpha, double beta, double base) {
        return new Variant(name, r -> MetrixLoss.builder().optBase(MetrixLoss.MULTI_SIMILARITY).optMixWeight(w)
                .optMsAlpha(alpha).optMsBeta(beta).optMsBase(base).optReduction(r).build(),
                MetrixFixtures.anchorReference(false, w, 0, alpha, beta, base));
    }

    @Override
    protected List<Variant> variants() {
        return List.of(
                contrastive("contrastive defaults", 0.4, 0.5),
                contrastive("contrastive w 1 margin 0.9", 1.0, 0.9),
                multiSimilarity("multi-similarity defaults", 0.4, 2, 50, 0.5),
                multiSimilarity("multi-similarity w 0.3 alpha 1 beta 10 base 0.2", 0.3, 1, 10, 0.2));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        return MetrixFixtures.sample(shape, rng, false);
    }

    @Override
    protected TrainingTask trainingTask() {
        return MetrixFixtures.inputMixing(false);
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> MetrixLoss.builder().build()),
                new RegistryCase(Map.of("base", "multi-similarity", "mixWeight", 1, "msAlpha", 1, "msBeta", 10L,
                        "msBase", 0.2, "reduction", "sum"),
                        () -> MetrixLoss.builder().optBase(MetrixLoss.MULTI_SIMILARITY).optMixWeight(1).optMsAlpha(1)
                                .optMsBeta(10).optMsBase(0.2).optReduction(Reduction.SUM).build()),
                new RegistryCase(Map.of("margin", 0.9, "mixWeight", 0.3),
                        () -> MetrixLoss.builder().optMargin(0.9).optMixWeight(0.3).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        return MetrixFixtures.badInputs(rng, false);
    }

    private static double[] values(MetrixLoss loss, Sample s) {
        return Evaluation.of(loss, s, DataType.FLOAT64).value();
    }

    @Test
    void withMixWeightZeroTheMultiSimilarityBaseIsTheUnminedMultiSimilarityLoss() {
        Sample s = MetrixFixtures.sample(2, new Random(3), false);
        double[] metrix = values(MetrixLoss.builder().optBase(MetrixLoss.MULTI_SIMILARITY).optMixWeight(0)
                .optReduction(Reduction.NONE).build(), s);
        double[] ms = Evaluation.of(MultiSimilarityLoss.builder().optEpsilon(0).optReduction(Reduction.NONE).build(),
                new Sample(List.of(s.label(0)), List.of(s.prediction(0))), DataType.FLOAT64).value();
        Close.assertClose("clean term = multi-similarity without mining", metrix, ms, REL);
    }

    @Test
    void aMixingWeightOfOneIsTheCleanLabelFormOfPartnerAForEachBase() {
        Sample s = MetrixFixtures.sample(2, new Random(4), false);
        int m = s.label(3).size();
        double[] ones = new double[m];
        java.util.Arrays.fill(ones, 1.0);
        Sample unmixed = s.withLabel(3, s.label(3).withData(ones));
        // Partner B carries weight 0: any B gives the same value, here B := A.
        Sample partnerBIsA = unmixed.withLabel(2, unmixed.label(1));
        // Hard labels: each mixed example takes the class of its partner A, so a mixed example is a
        // clean-labelled example: a clean batch of N + M examples whose extra M examples all use weight w.
        for (String base : List.of(MetrixLoss.CONTRASTIVE, MetrixLoss.MULTI_SIMILARITY)) {
            MetrixLoss loss = MetrixLoss.builder().optBase(base).optReduction(Reduction.NONE).build();
            double[] got = values(loss, unmixed);
            Close.assertClose(base + ": partner B does not matter at λ = 1", got, values(loss, partnerBIsA), REL);
            Close.assertClose(base + ": hard-label form", got,
                    hardLabelReference(base.equals(MetrixLoss.CONTRASTIVE), unmixed), REL);
        }
    }

    /** Both terms with hard labels (mixed example j has class y_{A_j}), as plain loops. */
    private static double[] hardLabelReference(boolean contrastive, Sample s) {
        double[][] x = io.github.lossforge.contrastive.PairReferences.rows(s.prediction(0), true);
        double[][] xm = io.github.lossforge.contrastive.PairReferences.rows(s.prediction(1), true);
        double[] out = new double[x.length];
        for (int a = 0; a < x.length; a++) {
            int ya = s.label(0).index(a);
            double pos = 0;
            double neg = 0;
            double mixedPos = 0;
            double mixedNeg = 0;
            for (int k = 0; k < x.length + xm.length; k++) {
                boolean mixed = k >= x.length;
                if (!mixed && k == a) {
                    continue;
                }
                double[] e = mixed ? xm[k - x.length] : x[k];
                int yk = mixed ? s.label(0).index(s.label(1).index(k - x.length)) : s.label(0).index(k);
                double sim = io.github.lossforge.contrastive.PairReferences.dot(x[a], e);
                double d = io.github.lossforge.contrastive.PairReferences.distance(x[a], e);
                double p = contrastive ? d : Math.exp(-2 * (sim - 0.5));
                double q = contrastive ? Math.max(0, 0.5 - d) : Math.exp(50 * (sim - 0.5));
                if (yk == ya) {
                    if (mixed) {
                        mixedPos += p;
                    } else {
                        pos += p;
                    }
                } else if (mixed) {
                    mixedNeg += q;
                } else {
                    neg += q;
                }
            }
            out[a] = contrastive
                    ? pos + neg + 0.4 * (mixedPos + mixedNeg)
                    : Math.log1p(pos) / 2 + Math.log1p(neg) / 50
                            + 0.4 * (Math.log1p(mixedPos) / 2 + Math.log1p(mixedNeg) / 50);
        }
        return out;
    }

    @Test
    void rejectsBadParameters() {
        assertThatThrownBy(() -> MetrixLoss.builder().optBase("triplet").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("metrix")
                .hasMessageContaining("triplet");
        assertThatThrownBy(() -> MetrixLoss.builder().optMixWeight(-0.1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mixWeight");
        assertThatThrownBy(() -> MetrixLoss.builder().optMsBeta(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("msBeta");
        assertThatThrownBy(() -> MetrixLoss.builder().optBase(MetrixLoss.PROXY_ANCHOR).optReduction(Reduction.NONE)
                .build()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void singleMixedExampleAndSingleAnchorStayFinite() {
        Sample s = new Sample(List.of(HostTensor.longs(new long[] {0}, 1), HostTensor.longs(new long[] {0}, 1),
                HostTensor.longs(new long[] {0}, 1), HostTensor.floats(new double[] {0.5}, 1)),
                List.of(HostTensor.floats(new double[] {1, 0}, 1, 2), HostTensor.floats(new double[] {1, 0}, 1, 2)));
        double[] v = values(MetrixLoss.builder().optReduction(Reduction.NONE).build(), s);
        // One anchor, one mixed copy of itself at distance 0 with soft label 1: every term is 0.
        Close.assertClose("self-mix", v, new double[] {0}, REL);
    }
}

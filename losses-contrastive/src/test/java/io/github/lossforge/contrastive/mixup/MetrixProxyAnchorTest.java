package io.github.lossforge.contrastive.mixup;

import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.testkit.Close;
import io.github.lossforge.core.testkit.Evaluation;
import io.github.lossforge.core.testkit.LossContract;
import io.github.lossforge.core.testkit.Sample;
import io.github.lossforge.core.testkit.TrainingTask;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

/** The proxy-anchor base (a batch-level value). */
class MetrixProxyAnchorTest extends LossContract {

    private static Variant variant(String name, double w, double alpha, double delta) {
        return new Variant(name, r -> MetrixLoss.builder().optBase(MetrixLoss.PROXY_ANCHOR).optMixWeight(w)
                .optPaAlpha(alpha).optPaDelta(delta).optReduction(r).build(),
                MetrixFixtures.proxyAnchorReference(w, alpha, delta));
    }

    @Override
    protected List<Variant> variants() {
        return List.of(variant("proxy-anchor defaults", 0.4, 32, 0.1), variant("w 1 alpha 8 delta 0.2", 1, 8, 0.2));
    }

    @Override
    protected boolean perSample() {
        return false;
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        return MetrixFixtures.sample(shape, rng, true);
    }

    @Override
    protected TrainingTask trainingTask() {
        return MetrixFixtures.inputMixing(true);
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(new RegistryCase(
                Map.of("base", "proxy-anchor", "paAlpha", 8, "paDelta", 0.2),
                () -> MetrixLoss.builder().optBase(MetrixLoss.PROXY_ANCHOR).optPaAlpha(8).optPaDelta(0.2)
                        .build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        return MetrixFixtures.badInputs(rng, true);
    }

    @Test
    void aMixingWeightOfOneIsTheHardLabelProxyAnchorOfPartnerA() {
        Sample s = MetrixFixtures.sample(2, new Random(5), true);
        double[] ones = new double[s.label(3).size()];
        java.util.Arrays.fill(ones, 1.0);
        Sample unmixed = s.withLabel(3, s.label(3).withData(ones));
        MetrixLoss loss = MetrixLoss.builder().optBase(MetrixLoss.PROXY_ANCHOR).optMixWeight(1).build();
        double got = Evaluation.of(loss, unmixed, DataType.FLOAT64).value()[0];
        double same = Evaluation.of(loss, unmixed.withLabel(2, unmixed.label(1)), DataType.FLOAT64).value()[0];
        // Hard labels: the mixed term is proxy-anchor over the mixed embeddings labelled y_{A_j}.
        double[][] p = io.github.lossforge.contrastive.PairReferences.rows(s.prediction(2), true);
        double[][] x = io.github.lossforge.contrastive.PairReferences.rows(s.prediction(0), true);
        double[][] xm = io.github.lossforge.contrastive.PairReferences.rows(s.prediction(1), true);
        int[] yClean = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            yClean[i] = s.label(0).index(i);
        }
        int[] yMixed = new int[xm.length];
        for (int j = 0; j < xm.length; j++) {
            yMixed[j] = s.label(0).index(s.label(1).index(j));
        }
        double expected = hardProxyAnchor(p, x, yClean) + hardProxyAnchor(p, xm, yMixed);
        Close.assertClose("partner B does not matter at λ = 1", new double[] {got}, new double[] {same}, REL);
        Close.assertClose("hard-label proxy-anchor", new double[] {got}, new double[] {expected}, REL);
    }

    /** pytorch-metric-learning's ProxyAnchorLoss with hard labels, α = 32, δ = 0.1. */
    private static double hardProxyAnchor(double[][] p, double[][] e, int[] y) {
        double positive = 0;
        int withPositives = 0;
        double negative = 0;
        for (int c = 0; c < p.length; c++) {
            double pos = 0;
            double neg = 0;
            boolean any = false;
            for (int k = 0; k < e.length; k++) {
                double sim = io.github.lossforge.contrastive.PairReferences.dot(p[c], e[k]);
                if (y[k] == c) {
                    pos += Math.exp(-32 * (sim - 0.1));
                    any = true;
                } else {
                    neg += Math.exp(32 * (sim + 0.1));
                }
            }
            if (any) {
                withPositives++;
                positive += Math.log1p(pos);
            }
            negative += Math.log1p(neg);
        }
        return positive / withPositives + negative / p.length;
    }
}

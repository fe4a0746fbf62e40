package io.github.lossforge.core.regression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
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

class TwoHotLossTest extends LossContract {

    private static final int BINS = 9;
    private static final long[] ROWS = {1, 6, 17};

    /** The two-hot target by locating the bracketing atoms with a scan. */
    static double[] twoHot(double y, double min, double max, int atoms) {
        double yc = Math.min(max, Math.max(min, y));
        double width = (max - min) / (atoms - 1);
        double[] p = new double[atoms];
        for (int i = 0; i < atoms - 1; i++) {
            double lo = min + i * width;
            double hi = min + (i + 1) * width;
            if (lo <= yc && yc <= hi) {
                p[i] = (hi - yc) / width;
                p[i + 1] = (yc - lo) / width;
                break;
            }
        }
        return p;
    }

    static Reference reference(double min, double max) {
        return s -> {
            HostTensor logits = s.prediction(0);
            double[] out = new double[logits.dim(0)];
            for (int i = 0; i < out.length; i++) {
                double[] p = twoHot(s.label(0).at(i), min, max, logits.dim(1));
                out[i] = RegressionTestKit.softCrossEntropy(RegressionTestKit.row(logits, i), p);
            }
            return out;
        };
    }

    private static Variant variant(double min, double max) {
        return new Variant("min=" + min + ", max=" + max,
                r -> TwoHotLoss.builder().setMin(min).setMax(max).setBins(BINS).optReduction(r).build(),
                reference(min, max));
    }

    private static TwoHotLoss loss(double min, double max, int atoms) {
        return TwoHotLoss.builder().setMin(min).setMax(max).setBins(atoms).optReduction(Reduction.NONE).build();
    }

    @Override
    protected List<Variant> variants() {
        return List.of(variant(-2, 3), variant(0, 1), variant(-10, 10));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        return new Sample(List.of(Generators.uniform(rng, -3, 4, ROWS[shape])),
                List.of(Generators.normal(rng, 1.5, ROWS[shape], BINS)));
    }

    @Override
    protected TrainingTask trainingTask() {
        return RegressionTestKit.scalarRegression(BINS, 16);
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of("min", -2, "max", 3, "bins", BINS),
                        () -> TwoHotLoss.builder().setMin(-2).setMax(3).setBins(BINS).build()),
                new RegistryCase(Map.of("min", 0.0, "max", 1L, "bins", (double) BINS, "reduction", "none"),
                        () -> TwoHotLoss.builder().setMin(0).setMax(1).setBins(BINS).optReduction("none").build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        return RegressionTestKit.histogramBadInputs(rng, BINS);
    }

    @Test
    void targetOnAnAtomIsOneHotAndTheLossIsCrossEntropy() {
        HostTensor logits = Generators.normal(new Random(2), 1, 2, BINS);
        TwoHotLoss loss = loss(-2, 2, BINS);
        double[] v = Evaluation.of(loss, new Sample(List.of(HostTensor.floats(new double[] {-1.5, 2.0}, 2)),
                List.of(logits)), DataType.FLOAT64).value();
        double[] ce = {
            -RegressionTestKit.logSoftmax(RegressionTestKit.row(logits, 0))[1],
            -RegressionTestKit.logSoftmax(RegressionTestKit.row(logits, 1))[8]};
        Close.assertClose("two-hot on atoms vs cross-entropy", v, ce, 1e-12);
    }

    @Test
    void targetMeanIsExactlyTheClampedTarget() {
        TwoHotLoss loss = loss(-10, 10, 51);
        try (NDManager m = NDManager.newBaseManager()) {
            double[] y = {-30, -9.99, -0.123, 0, 3.3333, 9.9, 12};
            double[] p = loss.targetDistribution(m.create(y)).toDoubleArray();
            double[] z = loss.atoms();
            for (int i = 0; i < y.length; i++) {
                double mean = 0;
                double total = 0;
                int nonZero = 0;
                for (int k = 0; k < 51; k++) {
                    mean += p[i * 51 + k] * z[k];
                    total += p[i * 51 + k];
                    nonZero += p[i * 51 + k] > 0 ? 1 : 0;
                }
                assertThat(total).isCloseTo(1, org.assertj.core.data.Offset.offset(1e-12));
                assertThat(nonZero).isBetween(1, 2);
                assertThat(mean).isCloseTo(Math.max(-10, Math.min(10, y[i])), org.assertj.core.data.Offset.offset(1e-12));
            }
            NDArray logits = loss.targetDistribution(m.create(y)).add(1e-300).log();
            double[] decoded = loss.decode(logits).toDoubleArray();
            for (int i = 0; i < y.length; i++) {
                assertThat(decoded[i]).isCloseTo(Math.max(-10, Math.min(10, y[i])), org.assertj.core.data.Offset.offset(1e-9));
            }
        }
    }

    @Test
    void targetsOutsideTheSupportAreClampedNotNaN() {
        HostTensor logits = Generators.normal(new Random(3), 1, 3, BINS);
        TwoHotLoss loss = loss(-2, 3, BINS);
        double[] beyond = Evaluation.of(loss, new Sample(List.of(HostTensor.floats(new double[] {-1e30, 3.5, 1e30}, 3)),
                List.of(logits)), DataType.FLOAT32).value();
        double[] atEnds = Evaluation.of(loss, new Sample(List.of(HostTensor.floats(new double[] {-2, 3, 3}, 3)),
                List.of(logits)), DataType.FLOAT32).value();
        Close.assertFinite("values beyond the support", beyond);
        Close.assertClose("targets beyond the support equal the clamped ones", beyond, atEnds, 1e-6);
    }

    @Test
    void rejectsASingleAtom() {
        assertThatThrownBy(() -> TwoHotLoss.builder().setMin(0).setMax(1).setBins(1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("two-hot").hasMessageContaining("≥ 2");
    }
}

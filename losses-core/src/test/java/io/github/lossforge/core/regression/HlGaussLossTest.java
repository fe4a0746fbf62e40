package io.github.lossforge.core.regression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.Losses;
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

class HlGaussLossTest extends LossContract {

    private static final int BINS = 11;
    private static final long[] ROWS = {1, 6, 17};

    /**
     * The histogram by integrating the Gaussian density over each bin with composite Simpson's rule
     * (no erf), normalised over the support; y clamped into the support.
     */
    static double[] histogram(double y, double min, double max, int bins, double sigmaRatio) {
        double width = (max - min) / bins;
        double sigma = sigmaRatio * width;
        double yc = Math.min(max, Math.max(min, y));
        double[] p = new double[bins];
        double total = 0;
        int steps = 400;
        for (int i = 0; i < bins; i++) {
            double lo = min + i * width;
            double h = width / steps;
            double s = 0;
            for (int k = 0; k <= steps; k++) {
                double t = (lo + k * h - yc) / sigma;
                double w = k == 0 || k == steps ? 1 : (k % 2 == 1 ? 4 : 2);
                s += w * Math.exp(-0.5 * t * t);
            }
            p[i] = s * h / 3;
            total += p[i];
        }
        for (int i = 0; i < bins; i++) {
            p[i] /= total;
        }
        return p;
    }

    static Reference reference(double min, double max, double sigmaRatio) {
        return s -> {
            HostTensor logits = s.prediction(0);
            int bins = logits.dim(1);
            double[] out = new double[logits.dim(0)];
            for (int i = 0; i < out.length; i++) {
                double[] p = histogram(s.label(0).at(i), min, max, bins, sigmaRatio);
                out[i] = RegressionTestKit.softCrossEntropy(RegressionTestKit.row(logits, i), p);
            }
            return out;
        };
    }

    private static Variant variant(double min, double max, double ratio) {
        return new Variant("min=" + min + ", max=" + max + ", sigmaRatio=" + ratio,
                r -> HlGaussLoss.builder().setMin(min).setMax(max).setBins(BINS).optSigmaRatio(ratio)
                        .optReduction(r).build(),
                reference(min, max, ratio));
    }

    private static HlGaussLoss loss(double min, double max, int bins) {
        return HlGaussLoss.builder().setMin(min).setMax(max).setBins(bins).optReduction(Reduction.NONE).build();
    }

    @Override
    protected List<Variant> variants() {
        return List.of(variant(-2, 3, 0.75), variant(0, 1, 2.0), variant(-1, 1, 0.3));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        // targets reach beyond both ends of every variant's support to exercise the clamping
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
                        () -> HlGaussLoss.builder().setMin(-2).setMax(3).setBins(BINS).build()),
                new RegistryCase(Map.of("min", 0.0, "max", 1L, "bins", (double) BINS, "sigmaRatio", 2, "reduction", "sum"),
                        () -> HlGaussLoss.builder().setMin(0).setMax(1).setBins(BINS).optSigmaRatio(2)
                                .optReduction("sum").build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        return RegressionTestKit.histogramBadInputs(rng, BINS);
    }

    @Test
    void targetIsAProbabilityDistributionCentredOnTheTarget() {
        HlGaussLoss loss = loss(-10, 10, 51);
        try (NDManager m = NDManager.newBaseManager()) {
            double[] y = {-3.3, 0.0, 0.41, 7.9};
            double[] p = loss.targetDistribution(m.create(y)).toDoubleArray();
            double[] c = loss.centres();
            for (int i = 0; i < y.length; i++) {
                double total = 0;
                double mean = 0;
                for (int k = 0; k < 51; k++) {
                    assertThat(p[i * 51 + k]).isGreaterThanOrEqualTo(0);
                    total += p[i * 51 + k];
                    mean += p[i * 51 + k] * c[k];
                }
                assertThat(total).isCloseTo(1, org.assertj.core.data.Offset.offset(1e-12));
                assertThat(mean).as("mean of the histogram of y=%s", y[i])
                        .isCloseTo(y[i], org.assertj.core.data.Offset.offset(1e-5));
            }
        }
    }

    @Test
    void decodingTheTargetHistogramRecoversTheTargetUpToTheTruncationBiasAtTheEnds() {
        // interior: the histogram's mean is y; at an end the Gaussian is cut in half, so the decoded
        // value moves inward by about the half-normal mean σ·sqrt(2/π)
        HlGaussLoss loss = loss(-10, 10, 51);
        double sigma = 0.75 * 20.0 / 51;
        try (NDManager m = NDManager.newBaseManager()) {
            double[] y = new double[201];
            for (int i = 0; i < y.length; i++) {
                y[i] = -10 + 0.1 * i;
            }
            NDArray logits = loss.targetDistribution(m.create(y)).add(1e-300).log();
            double[] decoded = loss.decode(logits).toDoubleArray();
            for (int i = 0; i < y.length; i++) {
                if (Math.abs(y[i]) <= 10 - 5 * sigma) {
                    assertThat(decoded[i]).as("decoded y=%s", y[i]).isCloseTo(y[i], org.assertj.core.data.Offset.offset(1e-5));
                }
            }
            double[] p = histogram(-10, -10, 10, 51, 0.75);
            double expected = 0;
            for (int k = 0; k < 51; k++) {
                expected += p[k] * (-10 + (k + 0.5) * 20.0 / 51);
            }
            assertThat(decoded[0]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6));
            assertThat(decoded[0] - y[0]).isBetween(0.5 * sigma, 1.5 * sigma);
            assertThat(y[200] - decoded[200]).isCloseTo(decoded[0] - y[0], org.assertj.core.data.Offset.offset(1e-9));
        }
    }

    @Test
    void targetsOutsideTheSupportAreClampedNotNaN() {
        HostTensor logits = Generators.normal(new Random(3), 1, 3, BINS);
        HlGaussLoss loss = loss(-2, 3, BINS);
        double[] beyond = Evaluation.of(loss, new Sample(List.of(HostTensor.floats(new double[] {-1e6, 3.0001, 40}, 3)),
                List.of(logits)), DataType.FLOAT32).value();
        double[] atEnds = Evaluation.of(loss, new Sample(List.of(HostTensor.floats(new double[] {-2, 3, 3}, 3)),
                List.of(logits)), DataType.FLOAT32).value();
        Close.assertFinite("values beyond the support", beyond);
        Close.assertClose("targets beyond the support equal the clamped ones", beyond, atEnds, 1e-6);
    }

    @Test
    void gradientIsSoftmaxMinusTargetHistogram() {
        Sample s = sample(1, new Random(5));
        HlGaussLoss loss = HlGaussLoss.builder().setMin(-2).setMax(3).setBins(BINS).optReduction(Reduction.SUM).build();
        double[] grad = Evaluation.of(loss, s, DataType.FLOAT64).gradient(0);
        HostTensor logits = s.prediction(0);
        for (int i = 0; i < logits.dim(0); i++) {
            double[] ls = RegressionTestKit.logSoftmax(RegressionTestKit.row(logits, i));
            double[] p = histogram(s.label(0).at(i), -2, 3, BINS, 0.75);
            for (int k = 0; k < BINS; k++) {
                assertThat(grad[i * BINS + k]).isCloseTo(Math.exp(ls[k]) - p[k],
                        org.assertj.core.data.Offset.offset(1e-9));
            }
        }
    }

    @Test
    void wideGaussianTendsToAUniformHistogram() {
        HlGaussLoss loss = HlGaussLoss.builder().setMin(0).setMax(1).setBins(4).optSigmaRatio(1e4).build();
        try (NDManager m = NDManager.newBaseManager()) {
            double[] p = loss.targetDistribution(m.create(new double[] {0.1})).toDoubleArray();
            Close.assertClose("histogram of a very wide Gaussian", p, new double[] {0.25, 0.25, 0.25, 0.25}, 1e-6);
        }
    }

    @Test
    void rejectsMissingOrInvalidSupport() {
        assertThatThrownBy(() -> HlGaussLoss.builder().setBins(5).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hl-gauss").hasMessageContaining("min");
        assertThatThrownBy(() -> HlGaussLoss.builder().setMin(1).setMax(1).setBins(5).build())
                .hasMessageContaining("min < max");
        assertThatThrownBy(() -> HlGaussLoss.builder().setMin(0).setMax(1).build())
                .hasMessageContaining("bins");
        assertThatThrownBy(() -> HlGaussLoss.builder().setMin(0).setMax(1).setBins(3).optSigmaRatio(0).build())
                .hasMessageContaining("sigmaRatio");
        assertThatThrownBy(() -> Losses.create("hl-gauss", Map.of("min", 0, "max", 1)))
                .hasMessageContaining("bins");
    }

    @Test
    void decodeRejectsLogitsWithTheWrongNumberOfBins() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.zeros(new ai.djl.ndarray.types.Shape(2, 4));
            assertThatThrownBy(() -> loss(0, 1, 5).decode(logits))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(N, 5)");
        }
    }
}

package io.github.lossforge.core.regression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
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

class CauchySchwarzIbLossTest extends LossContract {

    /** Rows of a (N, D) or (N) tensor. */
    static double[][] rows(HostTensor t) {
        int n = t.dim(0);
        int d = t.shape().length == 1 ? 1 : t.dim(1);
        double[][] r = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) {
                r[i][k] = t.at(i * d + k);
            }
        }
        return r;
    }

    /** κ(a_j, b_i) by explicit exponentials. */
    static double[][] kernel(double[][] a, double[][] b, double sigma) {
        double[][] k = new double[a.length][b.length];
        for (int j = 0; j < a.length; j++) {
            for (int i = 0; i < b.length; i++) {
                double d2 = 0;
                for (int c = 0; c < a[j].length; c++) {
                    d2 += (a[j][c] - b[i][c]) * (a[j][c] - b[i][c]);
                }
                k[j][i] = Math.exp(-d2 / (2 * sigma * sigma));
            }
        }
        return k;
    }

    /** Σ_j [Σ_i K_ji L_ji / d_j]. */
    static double conditionalSum(double[][] k, double[][] l, boolean code) {
        double total = 0;
        for (int j = 0; j < k.length; j++) {
            double num = 0;
            double rowSum = 0;
            double rowSquares = 0;
            for (int i = 0; i < k.length; i++) {
                num += k[j][i] * l[j][i];
                rowSum += k[j][i];
                rowSquares += k[j][i] * k[j][i];
            }
            total += num / (code ? rowSquares : rowSum * rowSum);
        }
        return total;
    }

    /** I_CS(A; B) with the N powers written out. */
    static double qmi(double[][] a, double[][] b) {
        int n = a.length;
        double trace = 0;
        double sumA = 0;
        double sumB = 0;
        double cross = 0;
        for (int j = 0; j < n; j++) {
            double rowA = 0;
            double rowB = 0;
            for (int i = 0; i < n; i++) {
                trace += a[j][i] * b[i][j];
                sumA += a[j][i];
                sumB += b[j][i];
                rowA += a[i][j];
                rowB += b[j][i];
            }
            cross += rowA * rowB;
        }
        return Math.log(trace / Math.pow(n, 2)) + Math.log(sumA * sumB / Math.pow(n, 4))
                - 2 * Math.log(cross / Math.pow(n, 3));
    }

    static Reference reference(double beta, double sigma, boolean code) {
        return s -> {
            double[][] yHat = rows(s.prediction(0));
            double[][] t = rows(s.prediction(1));
            double[][] y = rows(s.label(0));
            double[][] x = rows(s.label(1));
            double[][] k = kernel(x, x, sigma);
            double d = Math.log(conditionalSum(k, kernel(y, y, sigma), code))
                    + Math.log(conditionalSum(k, kernel(yHat, yHat, sigma), code))
                    - 2 * Math.log(conditionalSum(k, kernel(yHat, y, sigma), code));
            if (code) {
                d /= Math.log(2);
            }
            double[][] q = kernel(t, t, sigma);
            double selfProduct = qmi(k, k) * qmi(q, q);
            double compression = selfProduct > 1e-12 ? qmi(k, q) / Math.sqrt(selfProduct) : 0;
            return new double[] {d + beta * compression};
        };
    }

    private static Variant variant(double beta, double sigma, String variant) {
        return new Variant("beta=" + beta + ", sigma=" + sigma + ", variant=" + variant,
                r -> CauchySchwarzIbLoss.builder().optBeta(beta).optSigma(sigma).optVariant(variant).optReduction(r).build(),
                reference(beta, sigma, "code".equals(variant)));
    }

    @Override
    protected boolean perSample() {
        return false;
    }

    @Override
    protected List<Variant> variants() {
        return List.of(variant(0.01, 1, "paper"), variant(0.01, 1, "code"), variant(1, 0.7, "paper"));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        if (shape == 0) {
            // one-dimensional (N) targets; batch 1 is a separate test (the kernel estimates degenerate there)
            return new Sample(List.of(Generators.normal(rng, 1, 3), Generators.normal(rng, 0.5, 3, 3)),
                    List.of(Generators.normal(rng, 1, 3), Generators.normal(rng, 0.5, 3, 2)));
        }
        int n = shape == 1 ? 6 : 10;
        int dy = shape == 1 ? 2 : 1;
        return new Sample(List.of(Generators.normal(rng, 0.7, n, dy), Generators.normal(rng, 0.5, n, 4)),
                List.of(Generators.normal(rng, 0.7, n, dy), Generators.normal(rng, 0.6, n, 3)));
    }

    @Override
    protected TrainingTask trainingTask() {
        return new TrainingTask() {
            @Override
            public Block model() {
                return new SequentialBlock()
                        .add(Linear.builder().setUnits(8).build())
                        .add(Activation::tanh)
                        .add(new ParallelBlock(
                                outputs -> new NDList(outputs.get(0).singletonOrThrow(), outputs.get(1).singletonOrThrow()),
                                List.of(Linear.builder().setUnits(1).build(), new LambdaBlock(list -> list))));
            }

            @Override
            public Shape inputShape() {
                return new Shape(16, 4);
            }

            @Override
            public NDList[] batch(NDManager manager, Random rng, int step) {
                float[] x = new float[16 * 4];
                float[] y = new float[16];
                for (int i = 0; i < 16; i++) {
                    for (int k = 0; k < 4; k++) {
                        x[i * 4 + k] = (float) rng.nextGaussian();
                    }
                    y[i] = (float) Math.sin(x[i * 4]);
                }
                return new NDList[] {
                    new NDList(manager.create(x, new Shape(16, 4))),
                    new NDList(manager.create(y, new Shape(16, 1)), manager.create(x, new Shape(16, 4)))};
            }
        };
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> CauchySchwarzIbLoss.builder().build()),
                new RegistryCase(Map.of("beta", 1, "sigma", 0.5, "variant", "code"),
                        () -> CauchySchwarzIbLoss.builder().optBeta(1).optSigma(0.5).optVariant("code")
                                .build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        HostTensor yHat = Generators.normal(rng, 1, 5, 2);
        HostTensor t = Generators.normal(rng, 1, 5, 3);
        HostTensor y = Generators.normal(rng, 1, 5, 2);
        HostTensor x = Generators.normal(rng, 1, 5, 4);
        return List.of(
                new BadInput("rank-3 prediction", new Sample(List.of(y, x), List.of(yHat.reshape(5, 2, 1), t)),
                        "predictions[0] (ŷ)", "(N, D_y)"),
                new BadInput("representation batch mismatch", new Sample(List.of(y, x), List.of(yHat, t.firstRows(4))),
                        "predictions[1] (representation t)", "(4, 3)", "5"),
                new BadInput("target width mismatch", new Sample(List.of(Generators.normal(rng, 1, 5, 3), x), List.of(yHat, t)),
                        "labels[0] (y)", "(5, 3)"),
                new BadInput("input batch mismatch", new Sample(List.of(y, x.firstRows(3)), List.of(yHat, t)),
                        "labels[1] (x)", "(3, 4)", "5"),
                new BadInput("NaN in x", new Sample(List.of(y, x.withData(withNaN(x.data()))), List.of(yHat, t)),
                        "labels[1] (x)", "NaN"),
                new BadInput("missing x", new Sample(List.of(y), List.of(yHat, t)), "labels"));
    }

    private static double[] withNaN(double[] d) {
        d[3] = Double.NaN;
        return d;
    }

    @Test
    void oneDimensionalTargetsAreReadAsColumnsNotCollapsedToSumOfSquares() {
        Random rng = new Random(31);
        HostTensor yHat = Generators.normal(rng, 1, 8);
        HostTensor y = Generators.normal(rng, 1, 8);
        HostTensor x = Generators.normal(rng, 1, 8, 2);
        HostTensor t = Generators.normal(rng, 1, 8, 2);
        CauchySchwarzIbLoss loss = CauchySchwarzIbLoss.builder().optVariant("code").optBeta(0).build();
        double flat = Evaluation.of(loss, new Sample(List.of(y, x), List.of(yHat, t)), DataType.FLOAT64).scalar();
        double column = Evaluation.of(loss, new Sample(List.of(y.reshape(8, 1), x), List.of(yHat.reshape(8, 1), t)),
                DataType.FLOAT64).scalar();
        assertThat(flat).isCloseTo(column, org.assertj.core.data.Offset.offset(1e-12));
        double sse = 0;
        for (int i = 0; i < 8; i++) {
            sse += (y.at(i) - yHat.at(i)) * (y.at(i) - yHat.at(i));
        }
        // the official code on (N) tensors returns SSE / (σ² ln 2)
        assertThat(Math.abs(flat - sse / Math.log(2))).isGreaterThan(1e-3);
    }

    @Test
    void batchOfOneGivesTheScaledSquaredErrorAndNoCompression() {
        Random rng = new Random(12);
        Sample s = new Sample(List.of(Generators.normal(rng, 1, 1, 2), Generators.normal(rng, 1, 1, 3)),
                List.of(Generators.normal(rng, 1, 1, 2), Generators.normal(rng, 1, 1, 2)));
        Evaluation e = Evaluation.of(CauchySchwarzIbLoss.builder().optBeta(1).optSigma(0.8).build(), s, DataType.FLOAT64);
        double sq = 0;
        for (int k = 0; k < 2; k++) {
            sq += Math.pow(s.label(0).at(k) - s.prediction(0).at(k), 2);
        }
        // one sample: every self-kernel is 1 and D = −2 log κ(ŷ, y) = ‖ŷ − y‖²/σ²
        assertThat(e.scalar()).isCloseTo(sq / 0.64, org.assertj.core.data.Offset.offset(1e-12));
        Close.assertClose("gradient of t", e.gradient(1), new double[] {0, 0}, 0);
    }

    @Test
    void betaZeroIsThePredictionTermAlone() {
        Sample s = sample(2, new Random(13));
        double v = Evaluation.of(CauchySchwarzIbLoss.builder().optBeta(0).build(), s, DataType.FLOAT64).scalar();
        assertThat(v).isCloseTo(reference(0, 1, false).mean(s), org.assertj.core.data.Offset.offset(1e-12));
        Close.assertClose("gradient of t", Evaluation.of(CauchySchwarzIbLoss.builder().optBeta(0).build(), s,
                DataType.FLOAT64).gradient(1), new double[s.prediction(1).size()], 0);
    }

    @Test
    void perfectPredictionHasZeroDivergence() {
        Sample s = sample(2, new Random(4));
        Sample perfect = s.withPrediction(0, s.label(0));
        for (String variant : new String[] {"paper", "code"}) {
            double v = Evaluation.of(CauchySchwarzIbLoss.builder().optBeta(0).optVariant(variant).build(), perfect,
                    DataType.FLOAT64).scalar();
            assertThat(v).as(variant).isCloseTo(0, org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    @Test
    void representationEqualToTheInputHasNormalisedInformationOne() {
        Sample s = sample(1, new Random(5));
        Sample copy = s.withPrediction(1, s.label(1)).withPrediction(0, s.label(0));
        double v = Evaluation.of(CauchySchwarzIbLoss.builder().optBeta(1).build(), copy, DataType.FLOAT64).scalar();
        assertThat(v).isCloseTo(1, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void constantRepresentationCarriesNoInformation() {
        Sample s = sample(1, new Random(6));
        Sample constant = s.withPrediction(1, s.prediction(1).withData(new double[s.prediction(1).size()]));
        double withBeta = Evaluation.of(CauchySchwarzIbLoss.builder().optBeta(5).build(), constant, DataType.FLOAT64).scalar();
        double without = Evaluation.of(CauchySchwarzIbLoss.builder().optBeta(0).build(), constant, DataType.FLOAT64).scalar();
        assertThat(withBeta).isCloseTo(without, org.assertj.core.data.Offset.offset(1e-9));
        Close.assertFinite("gradient at a constant representation",
                Evaluation.of(CauchySchwarzIbLoss.builder().optBeta(5).build(), constant, DataType.FLOAT32).gradient(1));
    }

    @Test
    void highDimensionalInputsStayFiniteWhereExpThenSumUnderflows() {
        Random rng = new Random(7);
        // ‖x_i − x_j‖²/2 ≈ 2000: every off-diagonal kernel entry is e^−2000 = 0 in float64
        Sample s = new Sample(List.of(Generators.normal(rng, 1, 6, 1), Generators.normal(rng, 2, 6, 1000)),
                List.of(Generators.normal(rng, 1, 6, 1), Generators.normal(rng, 30, 6, 5)));
        for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
            Evaluation e = Evaluation.of(CauchySchwarzIbLoss.builder().optBeta(1).optVariant("code").build(), s, type);
            Close.assertFinite(type + " value", e.value());
            Close.assertFinite(type + " gradient of ŷ", e.gradient(0));
            Close.assertFinite(type + " gradient of t", e.gradient(1));
        }
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> CauchySchwarzIbLoss.builder().optSigma(0).build()).hasMessageContaining("cs-ib").hasMessageContaining("sigma");
        assertThatThrownBy(() -> CauchySchwarzIbLoss.builder().optBeta(-1).build()).hasMessageContaining("beta");
        assertThatThrownBy(() -> CauchySchwarzIbLoss.builder().optVariant("both").build()).hasMessageContaining("variant");
    }
}

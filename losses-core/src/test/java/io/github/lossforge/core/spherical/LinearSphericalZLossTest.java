package io.github.lossforge.core.spherical;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
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

class LinearSphericalZLossTest extends LossContract {

    /** (N, d, V) per shape; shape 0 has no bias slot. */
    private static final int[][] SHAPES = {{1, 3, 5}, {6, 4, 9}, {11, 5, 17}};

    /** Materialises o = W h + b with loops. */
    static double[][] outputs(Sample s) {
        HostTensor h = s.prediction(0);
        HostTensor w = s.prediction(1);
        int n = h.dim(0);
        int d = h.dim(1);
        int v = w.dim(0);
        double[][] o = new double[n][v];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < v; k++) {
                double dot = s.predictions().size() > 2 ? s.prediction(2).at(k) : 0;
                for (int j = 0; j < d; j++) {
                    dot += w.at(k * d + j) * h.at(i * d + j);
                }
                o[i][k] = dot;
            }
        }
        return o;
    }

    static Reference reference(double a, double b, double eps) {
        return s -> {
            double[][] o = outputs(s);
            double[] out = new double[o.length];
            for (int i = 0; i < o.length; i++) {
                double mu = 0;
                for (double x : o[i]) {
                    mu += x / o[i].length;
                }
                double var = 0;
                for (double x : o[i]) {
                    var += (x - mu) * (x - mu) / o[i].length;
                }
                double z = (o[i][s.label(0).index(i)] - mu) / Math.sqrt(var + eps * eps);
                double u = a * (b - z);
                out[i] = (Math.max(u, 0) + Math.log1p(Math.exp(-Math.abs(u)))) / a;
            }
            return out;
        };
    }

    private static Variant variant(double a, double b, double eps) {
        return new Variant("a=" + a + ", b=" + b + ", eps=" + eps,
                r -> LinearSphericalZLoss.builder().optA(a).optB(b).optEps(eps).optReduction(r).build(),
                reference(a, b, eps));
    }

    @Override
    protected List<Variant> variants() {
        return List.of(variant(1.0, 0.0, 1e-6), variant(3.0, 1.5, 1e-6), variant(0.5, -1.0, 0.1));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        int n = SHAPES[shape][0];
        int d = SHAPES[shape][1];
        int v = SHAPES[shape][2];
        List<HostTensor> predictions = new ArrayList<>(List.of(
                Generators.normal(rng, 1.0, n, d), Generators.normal(rng, 1.0, v, d)));
        if (shape > 0) {
            predictions.add(Generators.normal(rng, 1.0, v));
        }
        return new Sample(List.of(Generators.classes(rng, v, n)), predictions);
    }

    @Override
    protected TrainingTask trainingTask() {
        return new TrainingTask() {
            @Override
            public Block model() {
                return new HiddenAndHead(6, 10);
            }

            @Override
            public Shape inputShape() {
                return new Shape(16, 4);
            }

            @Override
            public NDList[] batch(NDManager manager, Random rng, int step) {
                float[] x = new float[16 * 4];
                long[] y = new long[16];
                for (int i = 0; i < 16; i++) {
                    y[i] = rng.nextInt(10);
                    for (int k = 0; k < 4; k++) {
                        x[i * 4 + k] = (float) (rng.nextGaussian() + (k == y[i] % 4 ? 2 : 0));
                    }
                }
                return new NDList[] {new NDList(manager.create(x, new Shape(16, 4))),
                    new NDList(manager.create(y, new Shape(16)))};
            }
        };
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> LinearSphericalZLoss.builder().build()),
                new RegistryCase(Map.of("a", 3, "b", 1.5, "eps", 0.0, "reduction", "sum"),
                        () -> LinearSphericalZLoss.builder().optA(3).optB(1.5).optEps(0).optReduction("sum").build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        HostTensor h = Generators.normal(rng, 1, 4, 3);
        HostTensor w = Generators.normal(rng, 1, 6, 3);
        HostTensor bias = Generators.normal(rng, 1, 6);
        HostTensor y = Generators.classes(rng, 6, 4);
        return List.of(
                new BadInput("rank-3 hidden", new Sample(List.of(y), List.of(h.reshape(4, 3, 1), w)),
                        "predictions[0] (hidden)", "(N, d)"),
                new BadInput("hidden size mismatch", new Sample(List.of(y), List.of(h, Generators.normal(rng, 1, 6, 2))),
                        "predictions[1] (weight)", "(6, 2)", "(V, 3)"),
                new BadInput("bias size mismatch", new Sample(List.of(y), List.of(h, w, bias.firstRows(5))),
                        "predictions[2] (bias)", "(5)", "(6)"),
                new BadInput("target beyond the vocabulary",
                        new Sample(List.of(HostTensor.longs(new long[] {0, 6, 1, 2}, 4)), List.of(h, w)),
                        "labels[0] (target)", "6", "[0, 6)"),
                new BadInput("batch mismatch", new Sample(List.of(y.firstRows(3)), List.of(h, w)),
                        "labels[0] (target)", "(3)", "4"),
                new BadInput("missing weight", new Sample(List.of(y), List.of(h)), "predictions"),
                new BadInput("floating targets", new Sample(List.of(y.withType(DataType.FLOAT32)), List.of(h, w)),
                        "labels[0] (target)", "int64"));
    }

    @Test
    void equalsTheDenseZLossOnTheMaterialisedOutputsInValueAndGradient() {
        for (int shape = 0; shape < 3; shape++) {
            Sample s = sample(shape, new Random(40 + shape));
            boolean hasBias = s.predictions().size() > 2;
            for (DataType type : new DataType[] {DataType.FLOAT64, DataType.FLOAT32}) {
                double tol = type == DataType.FLOAT64 ? 1e-10 : 2e-4;
                try (NDManager m = NDManager.newBaseManager()) {
                    NDList labels = s.labelList(m, type);
                    NDList linearInputs = s.predictionList(m, type);
                    NDList denseInputs = s.predictionList(m, type);
                    double[] linear;
                    double[] dense;
                    LinearSphericalZLoss linearLoss = LinearSphericalZLoss.builder().optA(2).optB(0.5)
                            .optReduction(Reduction.NONE).build();
                    SphericalZLoss denseLoss = SphericalZLoss.builder().optA(2).optB(0.5).optReduction(Reduction.NONE).build();
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray values = linearLoss.evaluate(labels, linearInputs);
                        linear = values.toType(DataType.FLOAT64, false).toDoubleArray();
                        gc.backward(values.sum());
                    }
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray o = denseInputs.get(0).matMul(denseInputs.get(1).transpose());
                        if (hasBias) {
                            o = o.add(denseInputs.get(2));
                        }
                        NDArray values = denseLoss.evaluate(labels, new NDList(o));
                        dense = values.toType(DataType.FLOAT64, false).toDoubleArray();
                        gc.backward(values.sum());
                    }
                    Close.assertClose(type + " shape " + shape + ": value", linear, dense, tol);
                    for (int slot = 0; slot < linearInputs.size(); slot++) {
                        Close.assertClose(type + " shape " + shape + ": gradient of predictions[" + slot + "]",
                                linearInputs.get(slot).getGradient().toType(DataType.FLOAT64, false).toDoubleArray(),
                                denseInputs.get(slot).getGradient().toType(DataType.FLOAT64, false).toDoubleArray(), tol);
                    }
                }
            }
        }
    }

    @Test
    void largeCommonOffsetOfTheOutputsDoesNotCancel() {
        // a bias of 1e6 on every output shifts μ only; centring before the Gram matrix keeps σ exact
        Sample s = sample(2, new Random(9));
        double[] offsetBias = s.prediction(2).data();
        for (int k = 0; k < offsetBias.length; k++) {
            offsetBias[k] += 1e6;
        }
        Sample shifted = s.withPrediction(2, s.prediction(2).withData(offsetBias));
        LinearSphericalZLoss loss = LinearSphericalZLoss.builder().optReduction(Reduction.NONE).build();
        Close.assertClose("loss with a 1e6 output offset", Evaluation.of(loss, shifted, DataType.FLOAT64).value(),
                Evaluation.of(loss, s, DataType.FLOAT64).value(), 1e-9);
    }

    @Test
    void addingTheSameVectorToEveryRowOfTheWeightLeavesTheLossUnchanged() {
        // o → o + (cᵀh)·1 shifts every output alike; the uncentred Gram form must not lose that in float64
        Sample s = sample(2, new Random(11));
        double[] shifted = s.prediction(1).data();
        int d = SHAPES[2][1];
        for (int k = 0; k < shifted.length; k++) {
            shifted[k] += 20.0 * (1 + k % d);
        }
        LinearSphericalZLoss loss = LinearSphericalZLoss.builder().optReduction(Reduction.NONE).build();
        Close.assertClose("loss after adding a vector to every row of W",
                Evaluation.of(loss, s.withPrediction(1, s.prediction(1).withData(shifted)), DataType.FLOAT64).value(),
                Evaluation.of(loss, s, DataType.FLOAT64).value(), 1e-8);
    }

    @Test
    void zeroWeightsGiveTheEpsilonLimitNotNaN() {
        Sample s = sample(1, new Random(10));
        Sample zero = s.withPrediction(1, s.prediction(1).withData(new double[s.prediction(1).size()]))
                .withPrediction(2, s.prediction(2).withData(new double[s.prediction(2).size()]));
        Evaluation e = Evaluation.of(LinearSphericalZLoss.builder().build(), zero, DataType.FLOAT32);
        org.assertj.core.api.Assertions.assertThat(e.scalar()).isCloseTo(Math.log(2), org.assertj.core.data.Offset.offset(1e-6));
        for (int slot = 0; slot < 3; slot++) {
            Close.assertFinite("gradient of predictions[" + slot + "]", e.gradient(slot));
        }
    }

    @Test
    void rejectsNonPositiveSharpness() {
        assertThatThrownBy(() -> LinearSphericalZLoss.builder().optA(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("z-loss-spherical-linear").hasMessageContaining("a must be");
    }

    /** A toy model whose outputs are hidden states (N, d), the head's weight (V, d) and bias (V). */
    private static final class HiddenAndHead extends AbstractBlock {
        private final Block trunk;
        private final Parameter weight;
        private final Parameter bias;

        HiddenAndHead(int hidden, int vocabulary) {
            trunk = addChildBlock("trunk", Linear.builder().setUnits(hidden).build());
            weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
                    .optShape(new Shape(vocabulary, hidden)).build());
            bias = addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS)
                    .optShape(new Shape(vocabulary)).build());
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                PairList<String, Object> params) {
            NDArray h = trunk.forward(store, inputs, training).singletonOrThrow();
            return new NDList(h, store.getValue(weight, h.getDevice(), training), store.getValue(bias, h.getDevice(), training));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            Shape h = trunk.getOutputShapes(inputShapes)[0];
            return new Shape[] {h, weight.getArray().getShape(), bias.getArray().getShape()};
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            trunk.initialize(manager, dataType, inputShapes);
        }
    }
}

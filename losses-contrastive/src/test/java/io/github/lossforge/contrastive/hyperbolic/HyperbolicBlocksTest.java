package io.github.lossforge.contrastive.hyperbolic;

import static io.github.lossforge.contrastive.hyperbolic.BallReference.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.github.lossforge.core.testkit.Close;

import org.junit.jupiter.api.Test;

import java.util.Random;

class HyperbolicBlocksTest {

    private static final int N = 5;
    private static final int D = 3;

    private static double[] gaussian(long seed, double scale, int n) {
        Random rng = new Random(seed);
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = scale * rng.nextGaussian();
        }
        return d;
    }

    /** Runs a block forward in float64 and back-propagates Σ w ⊙ output[0]; returns (output, input gradient). */
    private static double[][] forwardBackward(Block block, double[] x, double[] w) {
        try (NDManager m = NDManager.newBaseManager()) {
            block.initialize(m, DataType.FLOAT64, new Shape(N, D));
            NDArray input = m.create(x, new Shape(N, D)).toType(DataType.FLOAT64, false);
            input.setRequiresGradient(true);
            double[] out;
            try (GradientCollector g = Engine.getInstance().newGradientCollector()) {
                NDList result = block.forward(new ParameterStore(m, false), new NDList(input), true);
                out = result.get(0).toDoubleArray();
                NDArray weights = m.create(w, new Shape(N, D)).toType(DataType.FLOAT64, false);
                g.backward(result.get(0).mul(weights).sum());
            }
            return new double[][] {out, input.getGradient().toDoubleArray()};
        }
    }

    @Test
    void mapsFeaturesOntoTheBallThroughTheClippedExponentialMap() {
        double c = 0.1;
        double r = 2;
        double[] x = gaussian(1, 3, N * D);
        double[] got = forwardBackward(ToPoincare.builder().optClipRadius(r).build(), x, new double[N * D])[0];
        double[] expected = new double[N * D];
        for (int i = 0; i < N; i++) {
            double[] v = row(x, D, i);
            double factor = Math.min(1, r / (BallReference.norm(v) + 1e-5));
            for (int j = 0; j < D; j++) {
                v[j] *= factor;
            }
            System.arraycopy(BallReference.expMap0(v, c), 0, expected, i * D, D);
        }
        Close.assertClose("proj(exp_0(clip(x)))", got, expected, 1e-12);
    }

    @Test
    void aLearnableBasePointStartsAtTheOrigin() {
        double[] x = gaussian(2, 1, N * D);
        double[] fixed = forwardBackward(ToPoincare.builder().build(), x, new double[N * D])[0];
        double[] learnable = forwardBackward(ToPoincare.builder().optTrainBasePoint(true).build(), x,
                new double[N * D])[0];
        Close.assertClose("exp_b with b = 0 equals exp_0", learnable, fixed, 1e-12);
    }

    @Test
    void riemannianGradientIsTheEuclideanOneScaledByTheInverseMetric() {
        double c = 0.5;
        double[] x = gaussian(3, 1, N * D);
        double[] w = gaussian(4, 1, N * D);
        double[][] riemannian = forwardBackward(ToPoincare.builder().optCurvature(c).build(), x, w);
        // The same map without the rescaling, back-propagating w scaled per row by (1 − c‖z‖²)²/4.
        double[] z = riemannian[0];
        double[] scaledW = new double[N * D];
        for (int i = 0; i < N; i++) {
            double[] zi = row(z, D, i);
            double s = Math.pow(1 - c * BallReference.dot(zi, zi), 2) / 4;
            for (int j = 0; j < D; j++) {
                scaledW[i * D + j] = w[i * D + j] * s;
            }
        }
        double[][] euclidean = forwardBackward(ToPoincare.builder().optCurvature(c).optRiemannian(false).build(), x,
                scaledW);
        Close.assertClose("same values", riemannian[0], euclidean[0], 1e-15);
        Close.assertClose("gradient scaled by the inverse metric", riemannian[1], euclidean[1], 1e-12);
        assertThat(riemannian[1]).isNotEqualTo(forwardBackward(ToPoincare.builder().optCurvature(c)
                .optRiemannian(false).build(), x, w)[1]);
    }

    @Test
    void mlrBlockMapsItsRawParametersOntoTheBallAndTheTangentSpace() {
        double c = 0.3;
        HyperbolicMlr block = new HyperbolicMlr(c, 4);
        try (NDManager m = NDManager.newBaseManager()) {
            block.initialize(m, DataType.FLOAT64, new Shape(N, D));
            NDArray z = m.create(gaussian(5, 0.3, N * D), new Shape(N, D)).toType(DataType.FLOAT64, false);
            NDList out = block.forward(new ParameterStore(m, false), new NDList(z), false);
            assertThat(out).hasSize(3);
            double[] pRaw = block.getParameters().get("offsets").getArray().toDoubleArray();
            double[] aRaw = block.getParameters().get("normals").getArray().toDoubleArray();
            double[] p = new double[4 * D];
            double[] a = new double[4 * D];
            for (int k = 0; k < 4; k++) {
                double[] pk = BallReference.expMap0(row(pRaw, D, k), c);
                System.arraycopy(pk, 0, p, k * D, D);
                for (int j = 0; j < D; j++) {
                    a[k * D + j] = aRaw[k * D + j] * (1 - c * BallReference.dot(pk, pk));
                }
            }
            Close.assertClose("z passes through", out.get(0).toDoubleArray(), z.toDoubleArray(), 0);
            Close.assertClose("p = exp_0(p_raw)", out.get(1).toDoubleArray(), p, 1e-12);
            Close.assertClose("a = a_raw (1 − c‖p‖²)", out.get(2).toDoubleArray(), a, 1e-12);
            assertThat(block.getOutputShapes(new Shape[] {new Shape(N, D)})[1]).isEqualTo(new Shape(4, D));
        }
    }

    @Test
    void rejectsBadSettings() {
        assertThatThrownBy(() -> ToPoincare.builder().optClipRadius(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clipRadius");
        assertThatThrownBy(() -> new HyperbolicMlr(0.1, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("classes");
        assertThatThrownBy(() -> ToPoincare.builder().optCurvature(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("curvature");
    }
}

package io.github.lossforge.contrastive.condensation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Dataset condensation on a tiny ConvNet: conv 3×3 (3 maps, with bias) → ReLU → linear to 2 classes. */
class CondensationStepTest {

    private static final int CLASSES = 2;
    private static final int PER_CLASS = 2;

    private static NDArray f64(NDManager m, Random rng, double mean, long... shape) {
        int n = 1;
        for (long s : shape) {
            n *= (int) s;
        }
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = mean + rng.nextGaussian();
        }
        return m.create(d, new Shape(shape));
    }

    private static NDArray network(NDList theta, NDArray images) {
        NDArray maps = Activation.relu(Conv2d.conv2d(images, theta.get(0), theta.get(1)).singletonOrThrow());
        return maps.reshape(images.getShape().get(0), -1).matMul(theta.get(2).transpose());
    }

    private static NDList parameters(NDManager m, Random rng) {
        return new NDList(f64(m, rng, 0, 3, 1, 3, 3).mul(m.create(0.3)), f64(m, rng, 0, 3).mul(m.create(0.1)),
                f64(m, rng, 0, CLASSES, 3 * 6 * 6).mul(m.create(0.1)));
    }

    private static List<NDArray> realImages(NDManager m, Random rng) {
        List<NDArray> real = new ArrayList<>();
        for (int c = 0; c < CLASSES; c++) {
            real.add(f64(m, rng, c == 0 ? -0.5 : 0.5, 16, 1, 8, 8));
        }
        return real;
    }

    private static double[] run(String mode, int steps, double lr) {
        try (NDManager m = NDManager.newBaseManager()) {
            Random rng = new Random(7);
            NDList theta = parameters(m, rng);
            List<NDArray> real = realImages(m, rng);
            NDArray synthetic = f64(m, rng, 0, CLASSES * PER_CLASS, 1, 8, 8);
            synthetic.setRequiresGradient(true);
            CondensationStep step = new CondensationStep(GradientMatchingLoss.builder().optMode(mode).build(), lr);
            double[] values = new double[steps];
            for (int i = 0; i < steps; i++) {
                CondensationStep.Result r = step.update(theta, CondensationStepTest::network, real, synthetic);
                values[i] = r.matchingLoss();
                synthetic = r.synthetic();
            }
            return values;
        }
    }

    @Test
    void theImageUpdateIsTheSecondOrderGradientOfTheMatchingLoss() {
        // f(S − η g) = f(S) − η‖g‖² + O(η²): the step must descend at the predicted rate.
        for (String mode : new String[] {"dc", "dcc"}) {
            try (NDManager m = NDManager.newBaseManager()) {
                Random rng = new Random(8);
                NDList theta = parameters(m, rng);
                List<NDArray> real = realImages(m, rng);
                NDArray synthetic = f64(m, rng, 0, CLASSES * PER_CLASS, 1, 8, 8);
                synthetic.setRequiresGradient(true);
                double eta = 1e-4;
                CondensationStep step = new CondensationStep(GradientMatchingLoss.builder().optMode(mode).build(), eta);
                CondensationStep.Result first = step.update(theta, CondensationStepTest::network, real, synthetic);
                NDArray g = synthetic.stopGradient().sub(first.synthetic().stopGradient()).div(m.create(eta));
                double predicted = eta * g.square().sum().getDouble();
                double second = step.update(theta, CondensationStepTest::network, real, first.synthetic()).matchingLoss();
                double actual = first.matchingLoss() - second;
                assertThat(predicted).as(mode + ": the gradient is not zero").isGreaterThan(1e-8);
                assertThat(Math.abs(actual - predicted)).as(mode + ": decrease %s vs predicted %s", actual, predicted)
                        .isLessThan(0.02 * predicted);
            }
        }
    }

    @Test
    void repeatedStepsReduceTheMatchingLossInBothModes() {
        for (String mode : new String[] {"dc", "dcc"}) {
            double[] values = run(mode, 15, 0.5);
            assertThat(values[14]).as(mode + ": %s", java.util.Arrays.toString(values)).isLessThan(0.8 * values[0]);
        }
    }

    @Test
    void rejectsABadLearningRateAndUnevenClasses() {
        assertThatThrownBy(() -> new CondensationStep(GradientMatchingLoss.builder().build(), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("learningRate");
        try (NDManager m = NDManager.newBaseManager()) {
            Random rng = new Random(9);
            NDArray synthetic = f64(m, rng, 0, 3, 1, 8, 8);
            synthetic.setRequiresGradient(true);
            CondensationStep step = new CondensationStep(GradientMatchingLoss.builder().build(), 0.1);
            assertThatThrownBy(() -> step.update(parameters(m, rng), CondensationStepTest::network, realImages(m, rng),
                    synthetic)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("equal classes");
        }
    }

    @Test
    void updatedImagesAreFloat64LeavesOfTheSameShape() {
        try (NDManager m = NDManager.newBaseManager()) {
            Random rng = new Random(10);
            NDArray synthetic = f64(m, rng, 0, CLASSES * PER_CLASS, 1, 8, 8);
            synthetic.setRequiresGradient(true);
            NDArray updated = new CondensationStep(GradientMatchingLoss.builder().build(), 0.1)
                    .update(parameters(m, rng), CondensationStepTest::network, realImages(m, rng), synthetic).synthetic();
            assertThat(updated.getShape()).isEqualTo(synthetic.getShape());
            assertThat(updated.getDataType()).isEqualTo(DataType.FLOAT64);
            assertThat(updated.hasGradient()).isTrue();
        }
    }
}

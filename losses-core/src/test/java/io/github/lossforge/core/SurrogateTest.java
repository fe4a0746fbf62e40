package io.github.lossforge.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class SurrogateTest {

    @Test
    void perSampleValuesAreExactAndGradientsArriveThroughAutograd() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new double[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3));
            NDArray y = m.create(new double[] {7, 8});
            x.setRequiresGradient(true);
            y.setRequiresGradient(true);
            NDArray values = m.create(new double[] {0.1, 1e-17});
            NDArray gx = m.create(new double[] {1, -2, 3, -4, 5, -6}, new Shape(2, 3));
            NDArray gy = m.create(new double[] {0.5, 0.25});
            try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                assertThat(Surrogate.isNeeded(x, y)).isTrue();
                NDArray out = Surrogate.attach(values, new NDArray[] {x, y}, new NDArray[] {gx, gy});
                assertThat(out.toDoubleArray()).containsExactly(0.1, 1e-17);
                c.backward(out.mul(m.create(new double[] {2, 3})).sum());
            }
            assertThat(x.getGradient().toDoubleArray()).containsExactly(2, -4, 6, -12, 15, -18);
            assertThat(y.getGradient().toDoubleArray()).containsExactly(1, 0.75);
        }
    }

    @Test
    void aBatchLevelScalarCarriesTheGradientOfEveryElement() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new double[] {1, 2, 3}, new Shape(3, 1));
            x.setRequiresGradient(true);
            NDArray g = m.create(new double[] {-1, 0.5, 2}, new Shape(3, 1));
            try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                NDArray out = Surrogate.attach(m.create(4.5), x, g);
                assertThat(out.getShape()).isEqualTo(new Shape());
                assertThat(out.getDouble()).isEqualTo(4.5);
                c.backward(out);
            }
            assertThat(x.getGradient().toDoubleArray()).containsExactly(-1, 0.5, 2);
        }
    }

    @Test
    void isNeededInsideAGradientCollectorAlsoForAModelOutput() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(new double[] {1, 2});
            w.setRequiresGradient(true);
            assertThat(Surrogate.isNeeded(w)).isFalse();
            try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                NDArray output = w.mul(w);
                assertThat(Surrogate.isNeeded(output)).isTrue();
                c.backward(Surrogate.attach(output.stopGradient().sum(), output, m.create(new double[] {3, 5})));
            }
            assertThat(w.getGradient().toDoubleArray()).containsExactly(6, 20);
            assertThat(Surrogate.isNeeded(w)).isFalse();
        }
    }

    @Test
    void rejectsGradientsThatDoNotMatchTheInputs() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new double[] {1, 2});
            NDArray v = m.create(new double[] {0, 0});
            assertThatThrownBy(() -> Surrogate.attach(v, new NDArray[] {x}, new NDArray[0]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 inputs for 0 gradients");
            assertThatThrownBy(() -> Surrogate.attach(v, x, m.create(new double[] {1, 2, 3})))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(3)");
        }
    }
}

package io.github.lossforge.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.classification.CompSumLoss;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;

/** The checks policy: levels, one host read per call, device consistency. */
class ChecksTest {

    @AfterEach
    void restoreDefault() {
        Checks.setLevel(null);
        System.clearProperty(Checks.PROPERTY);
    }

    @Test
    void defaultIsFullOnTheCpuAndShapesOnAGpu() {
        assertThat(Checks.level(Device.cpu())).isEqualTo(Checks.Level.FULL);
        assertThat(Checks.level(Device.gpu())).isEqualTo(Checks.Level.SHAPES);
    }

    @Test
    void propertyAndSetterOverrideTheDeviceDefault() {
        System.setProperty(Checks.PROPERTY, "shapes");
        assertThat(Checks.level(Device.cpu())).isEqualTo(Checks.Level.SHAPES);
        Checks.setLevel(Checks.Level.FULL);
        assertThat(Checks.level(Device.gpu())).isEqualTo(Checks.Level.FULL);
        System.setProperty(Checks.PROPERTY, "loose");
        Checks.setLevel(null);
        assertThatThrownBy(() -> Checks.level(Device.cpu()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lossforge.checks")
                .hasMessageContaining("loose");
    }

    @Test
    void fullChecksRejectNaNAndBadClassesInOneHostRead() {
        BaseLoss loss = CompSumLoss.builder().build();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(new float[] {0.1f, Float.NaN, 0.3f, 0.4f}, new Shape(2, 2));
            NDArray targets = m.create(new long[] {0, 5});
            long before = Checks.hostReads();
            assertThatThrownBy(() -> loss.evaluate(new NDList(targets), new NDList(logits)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("comp-sum")
                    .hasMessageContaining("predictions[0]")
                    .hasMessageContaining("NaN");
            assertThat(Checks.hostReads() - before).isEqualTo(1);
            NDArray finite = m.create(new float[] {0.1f, 0.2f, 0.3f, 0.4f}, new Shape(2, 2));
            assertThatThrownBy(() -> loss.evaluate(new NDList(targets), new NDList(finite)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("labels[0]")
                    .hasMessageContaining("class index 5");
        }
    }

    @Test
    void shapesLevelSkipsValueChecksWithoutHostReads() {
        Checks.setLevel(Checks.Level.SHAPES);
        BaseLoss loss = CompSumLoss.builder().build();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(new float[] {0.1f, Float.NaN, 0.3f, 0.4f}, new Shape(2, 2));
            NDArray targets = m.create(new long[] {0, 1});
            long before = Checks.hostReads();
            NDArray value = loss.evaluate(new NDList(targets), new NDList(logits));
            assertThat(Checks.hostReads() - before).isZero();
            assertThat(Double.isNaN(value.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble()))
                    .as("NaN in, NaN out without value checks").isTrue();
            assertThatThrownBy(() -> loss.evaluate(new NDList(targets), new NDList(logits.reshape(4))))
                    .as("shape checks still run")
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("predictions[0]");
        }
    }

    @Test
    void inputsOnTwoDevicesAreRejectedNamingBothSlots() {
        BaseLoss loss = CompSumLoss.builder().build();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(new float[] {0.1f, 0.2f, 0.3f, 0.4f}, new Shape(2, 2));
            NDArray targets = onGpu(m.create(new long[] {0, 1}));
            assertThatThrownBy(() -> loss.evaluate(new NDList(targets), new NDList(logits)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("comp-sum")
                    .hasMessageContaining("labels[0]")
                    .hasMessageContaining("predictions[0]")
                    .hasMessageContaining("one device");
        }
    }

    /** A stand-in that reports a GPU device (no GPU here) and refuses to be computed with. */
    private static NDArray onGpu(NDArray real) {
        return (NDArray) Proxy.newProxyInstance(NDArray.class.getClassLoader(), new Class<?>[] {NDArray.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getDevice":
                            return Device.gpu();
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        case "equals":
                            return proxy == args[0];
                        case "getShape":
                        case "getDataType":
                        case "toString":
                            return method.invoke(real, args);
                        default:
                            throw new UnsupportedOperationException("the GPU stand-in was computed with: "
                                    + method.getName());
                    }
                });
    }
}

package io.github.lossforge.core.testkit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

import java.lang.reflect.Proxy;
import java.util.List;

/**
 * A stand-in for a bfloat16 array. DJL's PyTorch JNI aborts the JVM on a real bfloat16 tensor, so
 * the stand-in reports the dtype (and the shape, manager and device of the real array) and fails
 * loudly on any other use: a loss that reads it past validation is caught instead of crashing.
 */
public final class Bfloat16StandIn {

    private static final List<String> ANSWERED = List.of("getDataType", "getShape", "getManager", "getDevice");

    private Bfloat16StandIn() {}

    /**
     * Wraps a real array.
     *
     * @param real the array whose shape, manager and device the stand-in reports
     * @return an array that says it is bfloat16
     */
    public static NDArray of(NDArray real) {
        return (NDArray) Proxy.newProxyInstance(
                NDArray.class.getClassLoader(),
                new Class<?>[] {NDArray.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getDataType":
                            return DataType.BFLOAT16;
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        case "equals":
                            return proxy == args[0];
                        case "toString":
                            return "bfloat16 stand-in " + real.getShape();
                        default:
                            if (ANSWERED.contains(method.getName())) {
                                return method.invoke(real, args);
                            }
                            throw new UnsupportedOperationException(
                                    "the bfloat16 stand-in was used past validation: " + method.getName());
                    }
                });
    }
}

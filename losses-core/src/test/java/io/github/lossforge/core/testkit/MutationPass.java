package io.github.lossforge.core.testkit;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.github.lossforge.core.BaseLoss;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Mutates one slot of a valid input at a time and demands, for every mutation, either a finite
 * value with finite gradients for every floating prediction slot, or an
 * {@link IllegalArgumentException} whose message names the loss id and the mutated slot. Anything
 * else (NaN or ±∞ from finite input, an engine error, a message that does not say where the problem
 * is, a bfloat16 stand-in read past validation) is a failure.
 *
 * <p>The mutations, applied to every label and prediction slot: values scaled by ±10⁴, set to zero,
 * made constant (every element equal to the first), given as float16, float64 and int32 (the other
 * floating slots stay float32), and given as bfloat16 (through {@link Bfloat16StandIn}: rejected or
 * never read). One evaluation per mutation, on the smallest sample.
 */
public final class MutationPass {

    private static final double SCALE = 1e4;

    private MutationPass() {}

    /** How one slot is changed. */
    private enum Mutation {
        TIMES_1E4("scaled by 1e4"),
        TIMES_MINUS_1E4("scaled by -1e4"),
        ZERO("set to zero"),
        CONSTANT("made constant"),
        FLOAT16("given as float16"),
        FLOAT64("given as float64"),
        INT32("given as int32"),
        BFLOAT16("given as bfloat16");

        private final String description;

        Mutation(String description) {
            this.description = description;
        }

        HostTensor values(HostTensor t) {
            double[] d = t.data();
            switch (this) {
                case TIMES_1E4:
                    return t.withData(Arrays.stream(d).map(v -> v * SCALE).toArray());
                case TIMES_MINUS_1E4:
                    return t.withData(Arrays.stream(d).map(v -> -v * SCALE).toArray());
                case ZERO:
                    return t.withData(new double[d.length]);
                case CONSTANT:
                    double first = d.length == 0 ? 0 : d[0];
                    return t.withData(Arrays.stream(d).map(v -> first).toArray());
                default:
                    return t;
            }
        }

        /** The engine array of a mutated slot, others being built as float32 by the caller. */
        NDArray array(HostTensor t, NDManager manager) {
            switch (this) {
                case FLOAT16:
                case FLOAT64:
                case INT32: {
                    DataType type = this == FLOAT16 ? DataType.FLOAT16 : this == FLOAT64 ? DataType.FLOAT64
                            : DataType.INT32;
                    return t.toNDArray(manager, DataType.FLOAT64).toType(type, false);
                }
                case BFLOAT16:
                    return Bfloat16StandIn.of(t.toNDArray(manager, DataType.FLOAT32));
                default:
                    return values(t).toNDArray(manager, DataType.FLOAT32);
            }
        }
    }

    /**
     * Runs every mutation on every slot and fails with the list of all violations.
     *
     * @param id the loss id every message must name
     * @param loss builds a fresh loss (stateful losses must not carry state between mutations)
     * @param sample a valid input
     */
    public static void run(String id, Supplier<BaseLoss> loss, Sample sample) {
        List<String> failures = new ArrayList<>();
        for (boolean label : new boolean[] {true, false}) {
            int slots = label ? sample.labels().size() : sample.predictions().size();
            for (int i = 0; i < slots; i++) {
                for (Mutation m : Mutation.values()) {
                    String slot = (label ? "labels[" : "predictions[") + i + "]";
                    String failure = check(id, loss.get(), sample, label, i, m);
                    if (failure != null) {
                        failures.add(slot + " " + m.description + ": " + failure);
                    }
                }
            }
        }
        if (!failures.isEmpty()) {
            throw new AssertionError(id + ": " + failures.size() + " mutated input(s) gave neither a finite value"
                    + " and gradient nor an IllegalArgumentException naming the loss and the slot:\n  "
                    + String.join("\n  ", failures));
        }
    }

    private static String check(String id, BaseLoss loss, Sample sample, boolean label, int index, Mutation m) {
        String slot = (label ? "labels[" : "predictions[") + index + "]";
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList labels = new NDList();
            NDList predictions = new NDList();
            for (int i = 0; i < sample.labels().size(); i++) {
                HostTensor t = sample.label(i);
                labels.add(label && i == index ? m.array(t, manager) : t.toNDArray(manager, DataType.FLOAT32));
            }
            for (int i = 0; i < sample.predictions().size(); i++) {
                HostTensor t = sample.prediction(i);
                NDArray a = !label && i == index ? m.array(t, manager) : t.toNDArray(manager, DataType.FLOAT32);
                if (m != Mutation.BFLOAT16 || label || i != index) {
                    if (a.getDataType().isFloating()) {
                        a.setRequiresGradient(true);
                    }
                }
                predictions.add(a);
            }
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray value = loss.evaluate(labels, predictions);
                String bad = nonFinite("value", value);
                if (bad != null) {
                    return bad;
                }
                collector.backward(value.sum());
            }
            for (int i = 0; i < predictions.size(); i++) {
                NDArray p = predictions.get(i);
                boolean standIn = m == Mutation.BFLOAT16 && !label && i == index;
                if (!standIn && p.getDataType().isFloating() && p.hasGradient()) {
                    String bad = nonFinite("gradient of predictions[" + i + "]", p.getGradient());
                    if (bad != null) {
                        return bad;
                    }
                }
            }
            return null;
        } catch (IllegalArgumentException e) {
            String msg = String.valueOf(e.getMessage());
            return msg.contains(id) && msg.contains(slot) ? null : "message does not name " + id + " and " + slot
                    + ": " + msg;
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    private static String nonFinite(String what, NDArray a) {
        double[] d = a.toType(DataType.FLOAT64, false).toDoubleArray();
        for (double v : d) {
            if (!Double.isFinite(v)) {
                return what + " is " + v;
            }
        }
        return null;
    }
}

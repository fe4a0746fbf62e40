package io.github.lossforge.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.jspecify.annotations.Nullable;

import java.util.function.Function;

/**
 * One input slot of a loss (an index of {@code labels} or {@code predictions}) with the checks the
 * MONAI-style shape contract needs. Every failed check throws an {@link IllegalArgumentException}
 * whose message names the loss id, the slot, what it got and what was expected.
 *
 * <p>Shape, rank and dtype checks read metadata and throw at once. Value checks ({@link
 * #requireFinite}, {@link #requireClassIndices}, {@link #requireValues} and the helpers built on it)
 * follow the {@link Checks} policy: with {@code full} they leave probes on the device that {@link
 * BaseLoss} reads once, together, at the end of {@code evaluate} (or when the computation fails, or
 * when a loss calls {@link LossInputs#verifyValues()} before a host-side step); with {@code shapes}
 * they do nothing.
 */
public final class Slot {

    private final String lossId;
    private final String name;
    private final NDArray array;
    private final ValueChecks checks;

    Slot(String lossId, String side, int index, String role, NDArray array, ValueChecks checks) {
        this.lossId = lossId;
        this.name = side + "[" + index + "] (" + role + ")";
        this.array = array;
        this.checks = checks;
    }

    /**
     * The array in this slot.
     *
     * @return the array as given
     */
    public NDArray array() {
        return array;
    }

    /**
     * The slot's shape.
     *
     * @return the shape
     */
    public Shape shape() {
        return array.getShape();
    }

    /**
     * The size of one axis.
     *
     * @param axis the axis (negative counts from the end)
     * @return its size
     */
    public long size(int axis) {
        Shape s = shape();
        return s.get(axis < 0 ? s.dimension() + axis : axis);
    }

    /**
     * The slot's description used in messages, e.g. {@code predictions[0] (logits)}.
     *
     * @return the description
     */
    public String describe() {
        return name;
    }

    /**
     * Requires one of the given ranks.
     *
     * @param layout the expected layout in words, e.g. {@code (N, C)}
     * @param ranks the accepted ranks
     * @return this slot
     */
    public Slot requireRank(String layout, int... ranks) {
        int got = shape().dimension();
        for (int r : ranks) {
            if (r == got) {
                return this;
            }
        }
        throw fail("has shape " + shape() + " (rank " + got + "), expected " + layout);
    }

    /**
     * Requires an exact shape.
     *
     * @param expected the shape
     * @param layout the layout in words, used in the message
     * @return this slot
     */
    public Slot requireShape(Shape expected, String layout) {
        if (!shape().equals(expected)) {
            throw fail("has shape " + shape() + ", expected " + expected + " " + layout);
        }
        return this;
    }

    /**
     * Requires that the leading axis equals the batch size of another slot.
     *
     * @param other the slot that defines the batch size
     * @return this slot
     */
    public Slot requireSameBatch(Slot other) {
        if (shape().dimension() == 0 || shape().get(0) != other.shape().get(0)) {
            throw fail(
                    "has shape "
                            + shape()
                            + ", expected a leading batch axis of "
                            + other.shape().get(0)
                            + " to match "
                            + other.describe()
                            + " "
                            + other.shape());
        }
        return this;
    }

    /**
     * Requires a non-empty leading (batch) axis.
     *
     * @return this slot
     */
    public Slot requireNonEmpty() {
        if (shape().dimension() > 0 && shape().get(0) == 0 || shape().size() == 0) {
            throw fail("has shape " + shape() + ": the batch is empty, expected at least one sample");
        }
        return this;
    }

    /**
     * Rejects a bfloat16 array (DJL's PyTorch JNI aborts the JVM on one), whatever the slot holds:
     * the dtype policy applies to label slots as much as to predictions.
     *
     * @return this slot
     * @throws IllegalArgumentException naming the loss and the slot
     */
    public Slot requireNotBfloat16() {
        if (array.getDataType() == DataType.BFLOAT16) {
            throw fail(
                    "is bfloat16, which the PyTorch engine's JNI cannot handle safely; convert it to"
                            + " float32 (or float16) first");
        }
        return this;
    }

    /**
     * Requires a floating dtype accepted by the {@link DtypePolicy}.
     *
     * @return this slot
     */
    public Slot requireFloating() {
        requireNotBfloat16();
        DataType t = array.getDataType();
        if (!DtypePolicy.isAcceptedFloat(t)) {
            throw fail("has dtype " + t + ", expected float16, float32 or float64");
        }
        return this;
    }

    /**
     * Requires integer class indices (int64; int32 and other integer types accepted).
     *
     * @return this slot
     */
    public Slot requireIntegers() {
        if (!DtypePolicy.isInteger(array.getDataType())) {
            throw fail("has dtype " + array.getDataType() + ", expected integer class indices (int64)");
        }
        return this;
    }

    /**
     * Requires every value to lie in {@code [0, numClasses)}.
     *
     * @param numClasses the number of classes
     * @return this slot
     */
    public Slot requireClassIndices(long numClasses) {
        requireIntegers();
        return requireExtremes((max, min) -> min < 0 || max >= numClasses
                ? "holds class index " + (long) (min < 0 ? min : max) + ", expected indices in [0, " + numClasses + ")"
                : null);
    }

    /**
     * Requires every value to be finite (no NaN, no infinity).
     *
     * @return this slot
     */
    public Slot requireFinite() {
        // max and min propagate NaN, and an infinity is the max or the min
        return requireExtremes((max, min) -> Double.isNaN(max) || Double.isNaN(min)
                ? "contains NaN, expected finite values"
                : Double.isInfinite(max) || Double.isInfinite(min)
                        ? "contains an infinite value, expected finite values"
                        : null);
    }

    /**
     * A value check on the maximum and the minimum of this slot's array. The two reductions (no
     * input-sized temporaries) are made once per call and array, however many checks ask:
     * finiteness, ranges and bounds of the same array share them.
     *
     * @param verdict the judgement on (max, min): {@code null} when fine, else what is wrong,
     *     continuing the sentence "slot ..."
     * @return this slot
     */
    public Slot requireExtremes(ExtremesVerdict verdict) {
        return requireValues(checks::extremes, v -> verdict.judge(v[0], v[1]));
    }

    /**
     * Requires every value to be at least {@code lo}.
     *
     * @param lo the smallest allowed value
     * @param expected what the slot should hold, for the message (e.g. {@code non-negative weights})
     * @return this slot
     */
    public Slot requireAtLeast(double lo, String expected) {
        return requireExtremes((max, min) ->
                min < lo ? "holds the value " + min + " below " + bound(lo) + ", expected " + expected : null);
    }

    /**
     * Requires every value to lie in {@code [lo, hi]}.
     *
     * @param lo the smallest allowed value
     * @param hi the largest allowed value
     * @param expected what the slot should hold, for the message (e.g. {@code probabilities})
     * @return this slot
     */
    public Slot requireWithin(double lo, double hi, String expected) {
        return requireExtremes((max, min) -> min < lo || max > hi
                ? "holds values outside [" + bound(lo) + ", " + bound(hi) + "] (min " + min + ", max " + max
                        + "), expected " + expected
                : null);
    }

    /**
     * Requires every value to be 0 or 1.
     *
     * @param expected what the slot should hold, for the message (e.g. {@code a 0/1 mask})
     * @return this slot
     */
    public Slot requireBinary(String expected) {
        return requireValues(
                a -> new NDArray[] {a.neq(0).logicalAnd(a.neq(1)).any()},
                v -> v[0] != 0 ? "holds a value other than 0 and 1, expected " + expected : null);
    }

    /**
     * A value check under the {@link Checks} policy. With {@code full}, {@code probes} computes a few
     * 0-dimensional arrays on the device (reductions of this slot's array or of an array derived from
     * it); they are read on the host together with every other pending check of the call, and {@code
     * verdict} turns their values into {@code null} (fine) or what is wrong, continuing the sentence
     * "slot ...". With {@code shapes} neither function runs.
     *
     * @param probes the device-side reductions, given this slot's array
     * @param verdict the judgement on their host values
     * @return this slot
     */
    public Slot requireValues(Function<NDArray, NDArray[]> probes, Function<double[], String> verdict) {
        if (checks.enabled() && shape().size() > 0) {
            checks.add(this, probes.apply(array), verdict);
        }
        return this;
    }

    /**
     * Whether value checks run for this call ({@link Checks.Level#FULL}).
     *
     * @return true when {@link #requireValues} computes and reads its probes
     */
    public boolean valueChecksEnabled() {
        return checks.enabled();
    }

    private static String bound(double b) {
        return b == Math.rint(b) && !Double.isInfinite(b) ? String.valueOf((long) b) : String.valueOf(b);
    }

    /**
     * Builds the exception this slot throws for a violated expectation.
     *
     * @param what what is wrong, continuing the sentence "slot ..."
     * @return the exception, for the caller to throw
     */
    public IllegalArgumentException fail(String what) {
        return new IllegalArgumentException(lossId + ": " + name + " " + what);
    }

    /** A judgement on the maximum and the minimum of a slot's array ({@link #requireExtremes}). */
    @FunctionalInterface
    public interface ExtremesVerdict {
        /**
         * Judges the extremes.
         *
         * @param max the maximum (NaN when the array holds NaN)
         * @param min the minimum (NaN when the array holds NaN)
         * @return {@code null} when fine, else what is wrong, continuing the sentence "slot ..."
         */
        @Nullable String judge(double max, double min);
    }
}

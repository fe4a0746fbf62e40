package io.github.lossforge.core;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;

import org.jspecify.annotations.Nullable;

/**
 * The labels and predictions of one {@code evaluate} call, handed out slot by slot with the dtype
 * policy applied: a prediction slot is checked (floating, finite, non-empty batch) and widened from
 * float16 to float32; every floating prediction must share one compute dtype. Every array of the
 * call must sit on one device. Value checks follow the {@link Checks} policy and are read once, by
 * {@link BaseLoss}, through {@link #verifyValues()}.
 */
public final class LossInputs {

    private final String lossId;
    private final NDList labels;
    private final NDList predictions;
    private final Device device;
    private final ValueChecks checks;
    private @Nullable DataType computeType;
    private @Nullable String computeTypeSlot;

    LossInputs(String lossId, NDList labels, NDList predictions) {
        if (labels == null || predictions == null) {
            throw new IllegalArgumentException(lossId + ": labels and predictions must not be null");
        }
        this.lossId = lossId;
        this.labels = labels;
        this.predictions = predictions;
        this.device = commonDevice();
        this.checks = new ValueChecks(Checks.level(device));
    }

    /** The one device of every input; a mix is rejected naming the slots (metadata only, no sync). */
    private Device commonDevice() {
        Device common = null;
        String first = null;
        for (int side = 0; side < 2; side++) {
            NDList list = side == 0 ? predictions : labels;
            String name = side == 0 ? "predictions" : "labels";
            for (int i = 0; i < list.size(); i++) {
                Device d = list.get(i).getDevice();
                if (common == null) {
                    common = d;
                    first = name + "[" + i + "]";
                } else if (!common.equals(d)) {
                    throw new IllegalArgumentException(
                            lossId + ": " + name + "[" + i + "] is on " + d + " but " + first + " is on " + common
                                    + ", expected every input of one call on one device");
                }
            }
        }
        return common;
    }

    /**
     * The device every input of this call sits on; arrays a loss creates belong there.
     *
     * @return the device, or null for a call without arrays
     */
    public Device device() {
        return device;
    }

    /**
     * Reads the pending value checks now, in one host read, and throws for the first that fails.
     * {@link BaseLoss} calls it at the end of {@code evaluate}; a loss calls it itself only before a
     * step that reads the host anyway (so bad values are reported before a host algorithm sees them).
     *
     * @throws IllegalArgumentException naming the slot of the first failed check
     */
    public void verifyValues() {
        checks.verify();
    }

    /**
     * Requires the number of slots on each side.
     *
     * @param minLabels the fewest label slots
     * @param maxLabels the most label slots
     * @param minPredictions the fewest prediction slots
     * @param maxPredictions the most prediction slots
     * @return this
     */
    public LossInputs requireSlots(int minLabels, int maxLabels, int minPredictions, int maxPredictions) {
        requireCount("labels", labels.size(), minLabels, maxLabels);
        requireCount("predictions", predictions.size(), minPredictions, maxPredictions);
        return this;
    }

    private void requireCount(String side, int got, int min, int max) {
        if (got < min || got > max) {
            String expected = min == max ? String.valueOf(min) : min + " to " + max;
            throw new IllegalArgumentException(
                    lossId + ": got " + got + " " + side + " slot(s), expected " + expected);
        }
    }

    /**
     * A floating prediction slot: checked for dtype, finiteness and a non-empty batch, and widened to
     * its compute dtype.
     *
     * @param index the slot index
     * @param role what the slot holds, for messages
     * @return the slot holding the widened array
     */
    public Slot prediction(int index, String role) {
        requireIndex("predictions", predictions.size(), index, role);
        Slot raw = new Slot(lossId, "predictions", index, role, predictions.get(index), checks);
        raw.requireFloating().requireNonEmpty().requireFinite();
        DataType type = DtypePolicy.computeType(raw.array().getDataType());
        if (computeType == null) {
            computeType = type;
            computeTypeSlot = raw.describe();
        } else if (computeType != type) {
            throw raw.fail(
                    "is " + raw.array().getDataType() + ", expected the compute dtype " + computeType
                            + " of the other prediction slots (set by " + computeTypeSlot + ")");
        }
        return new Slot(lossId, "predictions", index, role, DtypePolicy.widen(raw.array()), checks);
    }

    /**
     * Whether an optional slot is present.
     *
     * @param index the prediction slot index
     * @return true when {@code predictions} has that many slots
     */
    public boolean hasPrediction(int index) {
        return predictions.size() > index;
    }

    /**
     * Whether an optional label slot is present.
     *
     * @param index the label slot index
     * @return true when {@code labels} has that many slots
     */
    public boolean hasLabel(int index) {
        return labels.size() > index;
    }

    /**
     * A label slot as given (class indices, masks, ids); bfloat16 is rejected, as everywhere.
     *
     * @param index the slot index
     * @param role what the slot holds, for messages
     * @return the slot
     * @throws IllegalArgumentException when the slot is missing or bfloat16
     */
    public Slot label(int index, String role) {
        requireIndex("labels", labels.size(), index, role);
        return new Slot(lossId, "labels", index, role, labels.get(index), checks).requireNotBfloat16();
    }

    /**
     * A floating label slot (targets, probabilities) converted to the predictions' compute dtype;
     * checked for finiteness. Label arrays take no part in autograd.
     *
     * @param index the slot index
     * @param role what the slot holds, for messages
     * @return the slot holding the converted array
     */
    public Slot floatLabel(int index, String role) {
        Slot raw = label(index, role);
        raw.requireFinite();
        DataType type = computeType == null ? DataType.FLOAT32 : computeType;
        return new Slot(lossId, "labels", index, role, DtypePolicy.asLabel(raw.array(), type), checks);
    }

    /**
     * The compute dtype fixed by the first prediction slot read.
     *
     * @return the dtype, float32 when no prediction was read yet
     */
    public DataType computeType() {
        return computeType == null ? DataType.FLOAT32 : computeType;
    }

    private void requireIndex(String side, int size, int index, String role) {
        if (index >= size) {
            throw new IllegalArgumentException(
                    lossId + ": " + side + "[" + index + "] (" + role + ") is missing: got " + size
                            + " " + side + " slot(s)");
        }
    }
}

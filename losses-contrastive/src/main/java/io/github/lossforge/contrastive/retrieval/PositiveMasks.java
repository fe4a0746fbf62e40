package io.github.lossforge.contrastive.retrieval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.Slot;

/** Reads the (Q, K) positive-mask slot of the retrieval losses: 0/1 of any numeric or boolean type. */
final class PositiveMasks {

    private PositiveMasks() {}

    /**
     * Checks a mask slot against the score slot and returns it as a boolean array.
     *
     * @param mask the mask slot
     * @param scores the score slot whose shape the mask must have
     * @return (Q, K) boolean, true at positives
     */
    static NDArray read(Slot mask, Slot scores) {
        mask.requireShape(scores.shape(), "(Q, K) like " + scores.describe());
        NDArray m = mask.array();
        if (m.getDataType() == DataType.BOOLEAN) {
            return m;
        }
        mask.requireBinary("a 0/1 mask");
        return m.eq(1);
    }
}

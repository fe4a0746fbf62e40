package io.github.lossforge.contrastive.face;

import ai.djl.ndarray.NDArray;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Slot;

/**
 * The checked input of the face heads ({@code arcface}, {@code cosface}, {@code unpg}):
 * predictions[0] embeddings (N, D), predictions[1] class weights (C, D), labels[0] classes (N) in
 * [0, C).
 *
 * @param embeddings (N, D) embeddings as given
 * @param weights (C, D) class weights as given
 * @param classes (N) integer classes
 */
record ClassifiedEmbeddings(NDArray embeddings, NDArray weights, NDArray classes) {

    /**
     * Reads and checks the slots.
     *
     * @param in the loss inputs
     * @param maxLabels the most label slots the loss accepts
     * @return the checked input
     * @throws IllegalArgumentException naming the slot for a wrong rank, size, dtype or class
     */
    static ClassifiedEmbeddings read(LossInputs in, int maxLabels) {
        in.requireSlots(1, maxLabels, 2, 2);
        Slot x = in.prediction(0, "embeddings").requireRank("(N, D)", 2);
        Slot w = in.prediction(1, "class weights").requireRank("(C, D)", 2);
        if (w.size(1) != x.size(1)) {
            throw w.fail("has shape " + w.shape() + ", expected an embedding size of " + x.size(1)
                    + " to match " + x.describe() + " " + x.shape());
        }
        Slot y = in.label(0, "classes").requireIntegers().requireRank("(N)", 1).requireSameBatch(x)
                .requireClassIndices(w.size(0));
        return new ClassifiedEmbeddings(x.array(), w.array(), y.array());
    }
}

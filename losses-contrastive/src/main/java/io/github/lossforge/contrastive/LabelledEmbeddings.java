package io.github.lossforge.contrastive;

import ai.djl.ndarray.NDArray;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Slot;

/**
 * The input of every loss on a labelled batch of embeddings: predictions[0] embeddings (N, D) and
 * labels[0] integer classes (N), checked, nothing else.
 *
 * @param embeddings the embedding slot (N, D)
 * @param classes the class labels (N), integers as given
 */
public record LabelledEmbeddings(Slot embeddings, NDArray classes) {

    /**
     * Reads and checks the two slots.
     *
     * @param in the loss inputs
     * @return the embeddings and their classes
     * @throws IllegalArgumentException naming the slot for a wrong rank, dtype, batch or slot count
     */
    public static LabelledEmbeddings read(LossInputs in) {
        in.requireSlots(1, 1, 1, 1);
        Slot embeddings = in.prediction(0, "embeddings").requireRank("(N, D)", 2);
        Slot classes = in.label(0, "classes").requireIntegers().requireRank("(N)", 1).requireSameBatch(embeddings);
        return new LabelledEmbeddings(embeddings, classes.array());
    }

    /**
     * The embeddings scaled to unit L2 norm.
     *
     * @return (N, D) unit rows
     */
    public NDArray normalized() {
        return PairMath.l2Normalize(embeddings.array());
    }
}

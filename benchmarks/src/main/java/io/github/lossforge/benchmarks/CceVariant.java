package io.github.lossforge.benchmarks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;
import io.github.lossforge.core.lm.CutCrossEntropyLoss;

/** What is measured: the naive composition and two configurations of {@code cce}. */
public enum CceVariant {
    /** Logits materialised as E·Cᵀ, DJL's {@link SoftmaxCrossEntropyLoss}, backward through both. */
    NAIVE("naive (materialised logits + SoftmaxCrossEntropyLoss)"),
    /** {@code cce} with {@code filterEps=none}: exact gradients. */
    CCE_EXACT("cce exact (filterEps=none)"),
    /** {@code cce} with {@code filterEps=auto} and {@code sortVocab}: the paper's default. */
    CCE_FILTERED("cce filtered (filterEps=auto, sortVocab)");

    private final String label;

    CceVariant(String label) {
        this.label = label;
    }

    /**
     * A readable description.
     *
     * @return the label
     */
    public String label() {
        return label;
    }

    /**
     * The loss value for embeddings and classifier.
     *
     * @param embeddings E (N, D)
     * @param classifier C (V, D)
     * @param targets (N) int64
     * @return the scalar loss
     */
    public NDArray loss(NDArray embeddings, NDArray classifier, NDArray targets) {
        Loss loss;
        NDList predictions;
        switch (this) {
            case NAIVE:
                loss = new SoftmaxCrossEntropyLoss("naive");
                predictions = new NDList(embeddings.matMul(classifier.transpose()));
                break;
            case CCE_EXACT:
                loss = CutCrossEntropyLoss.builder().optFilterEps("none").build();
                predictions = new NDList(embeddings, classifier);
                break;
            case CCE_FILTERED:
            default:
                loss = CutCrossEntropyLoss.builder().optSortVocab(true).build();
                predictions = new NDList(embeddings, classifier);
                break;
        }
        return loss.evaluate(new NDList(targets), predictions);
    }
}

package io.github.lossforge.contrastive;

import ai.djl.ndarray.NDArray;

/**
 * Carries the "kept" weights of one evaluation from a loss's {@code compute} to its {@code reduce}
 * (where {@code BaseLoss.reduceKept} needs them), per thread, since DJL may evaluate one loss object
 * on several devices' threads at once.
 */
public final class KeptRows {

    private final ThreadLocal<NDArray> current = new ThreadLocal<>();

    /**
     * Records the weights of the evaluation in progress.
     *
     * @param keep (N) 1 where a sample counts, 0 where it is dropped, in the values' dtype
     */
    public void set(NDArray keep) {
        current.set(keep);
    }

    /**
     * Returns and forgets the recorded weights.
     *
     * @return the weights set by this thread's {@code compute}
     * @throws IllegalStateException when none was recorded
     */
    public NDArray take() {
        NDArray keep = current.get();
        current.remove();
        if (keep == null) {
            throw new IllegalStateException("reduce called without compute on this thread");
        }
        return keep;
    }
}

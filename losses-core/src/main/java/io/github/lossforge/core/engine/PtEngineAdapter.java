package io.github.lossforge.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The one place in LossForge that touches internals of DJL's PyTorch engine (anything outside DJL's
 * public API). Everything else goes through this adapter, so a DJL upgrade that moves an internal
 * breaks one class.
 *
 * <p>Today it answers whether autograd is recording (DJL's public API opens a recording scope,
 * {@code GradientCollector}, but has no query for it, and fused kernels skip their gradient pass when
 * nothing is recorded), and runs a backward pass that records the gradient's own graph, for
 * second-order gradients (DJL's {@code GradientCollector.backward} always frees the graph).
 */
public final class PtEngineAdapter {

    /** The engine name DJL's PyTorch engine reports. */
    public static final String PYTORCH = "PyTorch";

    private PtEngineAdapter() {}

    /**
     * Whether operations on the array's engine are being recorded for autograd now.
     *
     * @param array any array of the engine in question
     * @return libtorch's grad mode on the PyTorch engine (DJL turns it on inside a {@code
     *     GradientCollector} only); {@code true} on other engines, where the answer is unknown and
     *     computing the gradient is the safe choice
     */
    public static boolean isGradientRecording(NDArray array) {
        if (!PYTORCH.equals(array.getManager().getEngine().getEngineName())) {
            return true;
        }
        return JniUtils.isGradMode();
    }

    /**
     * Backpropagates a scalar keeping its graph and recording the gradients' own graph ({@code
     * retain_graph} and {@code create_graph}), so gradients read afterwards can be differentiated
     * again. Call it inside a {@code GradientCollector}.
     *
     * @param scalar the value to differentiate, on the PyTorch engine
     * @throws IllegalArgumentException on another engine
     */
    public static void backwardWithGraph(NDArray scalar) {
        if (!(scalar instanceof PtNDArray)) {
            throw new IllegalArgumentException("second-order gradients need the PyTorch engine, got "
                    + scalar.getManager().getEngine().getEngineName());
        }
        JniUtils.backward((PtNDArray) scalar, (PtNDArray) scalar.onesLike(), true, true);
    }
}

package io.github.lossforge.contrastive.condensation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.github.lossforge.core.engine.PtEngineAdapter;

/**
 * Second-order autograd for dataset condensation: a backward pass with PyTorch's {@code
 * create_graph=True} (through core's {@link PtEngineAdapter}, the one class that touches DJL's engine
 * internals), so that the gradients it leaves on the parameters are themselves differentiable.
 *
 * <p>Must run inside an open {@code GradientCollector} (gradient mode on). Like every backward pass,
 * it accumulates into the gradient of every leaf that requires one, value and graph: give it fresh
 * parameter leaves ({@link #freshLeaves}) so that what it returns is this pass's gradient alone.
 */
public final class SecondOrderGradients {

    private SecondOrderGradients() {}

    /**
     * The gradients of a scalar with respect to parameters, with their graph kept.
     *
     * @param scalar the scalar to differentiate (on the PyTorch engine)
     * @param parameters leaves that require a gradient and have none yet
     * @return one gradient per parameter, same shapes, differentiable further
     * @throws IllegalArgumentException when the arrays are not PyTorch-engine arrays
     */
    public static NDList of(NDArray scalar, NDList parameters) {
        PtEngineAdapter.backwardWithGraph(scalar);
        NDList out = new NDList();
        for (NDArray p : parameters) {
            out.add(p.getGradient());
        }
        return out;
    }

    /**
     * New leaves holding the parameters' values, requiring a gradient and holding none.
     *
     * @param parameters the parameters
     * @return detached copies that require a gradient
     */
    public static NDList freshLeaves(NDList parameters) {
        NDList out = new NDList();
        for (NDArray p : parameters) {
            NDArray leaf = p.stopGradient().duplicate();
            leaf.setRequiresGradient(true);
            out.add(leaf);
        }
        return out;
    }
}

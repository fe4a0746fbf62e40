package io.github.lossforge.contrastive.face;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A test block that passes its input through and appends learnable arrays as further outputs
 * (class weights of a face head, MLR offsets and normals of a hyperbolic head), each optionally
 * mapped by a function (e.g. onto the Poincaré ball) before it leaves the block.
 */
public final class LearnableSlots extends AbstractBlock {

    private final List<Parameter> parameters = new ArrayList<>();
    private final List<Shape> shapes;
    private final UnaryOperator<NDList> map;

    /**
     * Creates the block.
     *
     * @param shapes the shapes of the appended arrays
     * @param map maps (input, parameters...) to the outputs
     */
    public LearnableSlots(List<Shape> shapes, UnaryOperator<NDList> map) {
        super((byte) 1);
        this.shapes = List.copyOf(shapes);
        this.map = map;
        for (int i = 0; i < shapes.size(); i++) {
            parameters.add(addParameter(Parameter.builder().setName("slot" + i)
                    .setType(Parameter.Type.WEIGHT).optShape(shapes.get(i)).build()));
        }
    }

    /**
     * A block that appends the given arrays unchanged.
     *
     * @param shapes the shapes
     * @return the block
     */
    public static LearnableSlots appended(Shape... shapes) {
        return new LearnableSlots(List.of(shapes), list -> list);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDList out = new NDList(x);
        for (int i = 0; i < parameters.size(); i++) {
            NDArray value = store.getValue(parameters.get(i), x.getDevice(), training);
            // Adding to a zero of the batch's manager (batch operand first) keeps what the map derives
            // from the parameter out of the model's manager, where it would outlive the batch.
            out.add(x.getManager().zeros(shapes.get(i), value.getDataType()).add(value));
        }
        return map.apply(out);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        Shape[] out = new Shape[shapes.size() + 1];
        out[0] = inputs[0];
        for (int i = 0; i < shapes.size(); i++) {
            out[i + 1] = shapes.get(i);
        }
        return out;
    }
}

package io.github.lossforge.contrastive.hyperbolic;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.github.lossforge.core.Scalar;

/**
 * The parameters of hyperbolic multinomial logistic regression as a DJL block: K classes with raw
 * offsets \( p_{raw} \) and normals \( a_{raw} \) (K, d), mapped to \( p = \exp_0(p_{raw}) \) on the
 * ball and \( a = a_{raw} (1 - c\lVert p\rVert^2) \) in the tangent space at p (hyptorch's {@code
 * HyperbolicMLR}, spec §6). Input: (N, d) points of the ball (e.g. from {@link ToPoincare}); output:
 * the list (z, p, a) — exactly the predictions of {@code hyp-ce}, which computes the logits and the
 * cross-entropy. Both raw parameters are {@code WEIGHT}s (DJL's default initialiser; hyptorch uses
 * Kaiming-uniform normals and uniform offsets).
 *
 * <p>Paper: Ganea, Bécigneul, Hofmann, "Hyperbolic Neural Networks", NeurIPS 2018, arXiv 1805.09112.
 */
public final class HyperbolicMlr extends AbstractBlock {

    private static final byte VERSION = 1;

    private final PoincareBall ball;
    private final int classes;
    private final Parameter offsets;
    private final Parameter normals;

    /**
     * Creates the block.
     *
     * @param curvature c &gt; 0
     * @param classes K ≥ 2
     */
    public HyperbolicMlr(double curvature, int classes) {
        super(VERSION);
        if (classes < 2) {
            throw new IllegalArgumentException("HyperbolicMlr: classes must be >= 2, got " + classes);
        }
        this.ball = new PoincareBall(curvature);
        this.classes = classes;
        this.offsets = addParameter(Parameter.builder().setName("offsets").setType(Parameter.Type.WEIGHT).build());
        this.normals = addParameter(Parameter.builder().setName("normals").setType(Parameter.Type.WEIGHT).build());
    }

    /** {@inheritDoc} */
    @Override
    protected void prepare(Shape[] inputShapes) {
        Shape shape = new Shape(classes, inputShapes[0].get(inputShapes[0].dimension() - 1));
        offsets.setShape(shape);
        normals.setShape(shape);
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray z = inputs.singletonOrThrow();
        NDArray pRaw = onBatch(z, store.getValue(offsets, z.getDevice(), training));
        NDArray aRaw = onBatch(z, store.getValue(normals, z.getDevice(), training));
        NDArray p = ball.expMap0(pRaw);
        NDArray a = aRaw.mul(Scalar.mul(PoincareBall.squaredNorm(p), -ball.curvature()).add(1));
        return new NDList(z, p, a);
    }

    /**
     * A parameter's value as an array of the batch's manager (the batch operand first), so that what
     * is derived from it dies with the batch instead of piling up in the model's manager.
     *
     * @param batch an array of the batch
     * @param parameter the parameter's value
     * @return the same values, in the batch's manager, with the parameter's gradient
     */
    static NDArray onBatch(NDArray batch, NDArray parameter) {
        return batch.getManager().zeros(parameter.getShape(), parameter.getDataType(), batch.getDevice()).add(parameter);
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape k = new Shape(classes, inputShapes[0].get(inputShapes[0].dimension() - 1));
        return new Shape[] {inputShapes[0], k, k};
    }
}

package io.github.lossforge.contrastive.condensation;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.training.GradientCollector;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.Scalar;

import java.util.List;
import java.util.function.BiFunction;

/**
 * One outer step of dataset condensation by gradient matching: the synthetic images move down the
 * gradient of {@link GradientMatchingLoss} between the network's gradients on the real and on the
 * synthetic set, taken through second-order autograd ({@link SecondOrderGradients}).
 *
 * <p>For classes c = 0..C−1 with real images \( T_c \) and synthetic images \( S_c \) (class-major,
 * the same count per class): the real per-class gradients \( \nabla_\theta CE(\theta; T_c) \) are
 * taken first-order (no graph); the synthetic ones per class ({@code dc}) or of the mean
 * cross-entropy over the whole synthetic set ({@code dcc}) keep their graph; the matching loss of
 * the loss object is then differentiated with respect to the images and
 * \( S \leftarrow S - \eta\, \partial L / \partial S \) (plain SGD; the papers use momentum 0.5).
 * Gradients of 1-D parameters are passed as they are and ignored by the loss.
 *
 * <p>The step opens its own {@code GradientCollector}, so none may be open when it is called; the
 * parameters must require a gradient. Papers: Zhao, Mopuri, Bilen, ICLR 2021, arXiv 2006.05929; Lee
 * et al., ICML 2022, arXiv 2202.02916.
 */
public final class CondensationStep {

    /**
     * The outcome of one step.
     *
     * @param matchingLoss the matching loss before the update
     * @param synthetic the updated synthetic images, a new leaf that requires a gradient
     */
    public record Result(double matchingLoss, NDArray synthetic) {}

    private final GradientMatchingLoss loss;
    private final boolean classSummed;
    private final double learningRate;

    /**
     * Creates a step.
     *
     * @param loss the matching loss (its mode decides dc or dcc)
     * @param learningRate η &gt; 0 for the images
     */
    public CondensationStep(GradientMatchingLoss loss, double learningRate) {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("CondensationStep: learningRate must be a finite number > 0, got "
                    + learningRate);
        }
        this.loss = loss;
        this.classSummed = loss.classSummed();
        this.learningRate = learningRate;
    }

    /**
     * Runs the step.
     *
     * @param parameters the network's parameters θ, requiring a gradient
     * @param network (parameters, images) ↦ (B, C) logits
     * @param real the real images of each class, in class order
     * @param synthetic (C·k, ...) synthetic images, class-major, requiring a gradient
     * @return the matching loss and the updated images
     */
    public Result update(NDList parameters, BiFunction<NDList, NDArray, NDArray> network, List<NDArray> real,
            NDArray synthetic) {
        int classes = real.size();
        long perClass = synthetic.getShape().get(0) / classes;
        if (classes < 1 || perClass * classes != synthetic.getShape().get(0)) {
            throw new IllegalArgumentException("CondensationStep: " + synthetic.getShape().get(0)
                    + " synthetic images do not split into " + classes + " equal classes");
        }
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDList realGradients = stackPerClass(parameters, classes, c -> {
                NDList theta = SecondOrderGradients.freshLeaves(parameters);
                collector.backward(crossEntropy(network.apply(theta, real.get(c)), c));
                return detachedGradients(theta);
            });
            NDList syntheticGradients;
            if (classSummed) {
                NDList theta = SecondOrderGradients.freshLeaves(parameters);
                NDArray labels = synthetic.getManager().arange(0, classes).repeat(perClass);
                NDArray logits = network.apply(theta, synthetic);
                syntheticGradients = SecondOrderGradients.of(
                        Numerics.logProbabilityOf(logits, labels).neg().mean(), theta);
            } else {
                syntheticGradients = stackPerClass(parameters, classes, c -> {
                    NDList theta = SecondOrderGradients.freshLeaves(parameters);
                    NDArray images = synthetic.get(c * perClass + ":" + (c + 1) * perClass);
                    return SecondOrderGradients.of(crossEntropy(network.apply(theta, images), c), theta);
                });
            }
            // The synthetic images' gradient already holds the first-order terms of the passes above.
            NDArray imagesBefore = synthetic.getGradient().stopGradient().duplicate();
            NDArray matching = loss.evaluate(realGradients, syntheticGradients);
            double value = matching.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
            collector.backward(matching);
            NDArray step = synthetic.getGradient().stopGradient().sub(imagesBefore);
            NDArray updated = synthetic.stopGradient().sub(Scalar.mul(step, learningRate)).duplicate();
            updated.setRequiresGradient(true);
            return new Result(value, updated);
        }
    }

    private static NDArray crossEntropy(NDArray logits, int c) {
        NDArray targets = logits.getManager().full(new ai.djl.ndarray.types.Shape(logits.getShape().get(0)), c)
                .toType(ai.djl.ndarray.types.DataType.INT64, false);
        return Numerics.logProbabilityOf(logits, targets).neg().mean();
    }

    private static NDList detachedGradients(NDList leaves) {
        NDList out = new NDList();
        for (NDArray p : leaves) {
            out.add(p.getGradient().stopGradient().duplicate());
        }
        return out;
    }

    /** Per-class gradients stacked along a new leading class axis, one array per parameter. */
    private static NDList stackPerClass(NDList parameters, int classes, java.util.function.IntFunction<NDList> perClass) {
        NDList[] byClass = new NDList[classes];
        for (int c = 0; c < classes; c++) {
            byClass[c] = perClass.apply(c);
        }
        NDList out = new NDList();
        for (int i = 0; i < parameters.size(); i++) {
            NDList layer = new NDList();
            for (NDList g : byClass) {
                layer.add(g.get(i));
            }
            out.add(NDArrays.stack(layer));
        }
        return out;
    }
}

package io.github.lossforge.core.regression;

import ai.djl.ndarray.NDArray;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.Slot;

/**
 * What HL-Gauss and two-hot share: regression as classification over m support points on [min,
 * max], trained with the cross-entropy against a target distribution derived from y, and decoded
 * back to a scalar as the softmax-weighted mean of the points. Subclasses supply the points and the
 * target distribution.
 */
public abstract class HistogramRegressionLoss extends BaseLoss {

    private final double min;
    private final double max;
    private final double[] points;
    private final String pointName;

    HistogramRegressionLoss(String id, Reduction reduction, double min, double max, double[] points,
            String pointName) {
        super(id, reduction, true);
        this.min = min;
        this.max = max;
        this.points = points;
        this.pointName = pointName;
    }

    /**
     * The target distribution for each y, computed in float64.
     *
     * @param y (N) targets, any floating dtype; clamped into [min, max]
     * @return (N, m) float64 probabilities
     */
    public abstract NDArray targetDistribution(NDArray y);

    /**
     * Decodes logits to scalar predictions: \( \sum_i \mathrm{softmax}(\ell)_i z_i \) over the
     * support points z.
     *
     * @param logits (N, m) logits
     * @return (N) predictions, differentiable in the logits
     */
    public NDArray decode(NDArray logits) {
        if (logits.getShape().dimension() != 2 || logits.getShape().get(1) != points.length) {
            throw new IllegalArgumentException(
                    id() + ": logits have shape " + logits.getShape() + ", expected (N, " + points.length + ")");
        }
        return RegressionMath.expectation(logits, points);
    }

    /** {@inheritDoc} */
    @Override
    protected NDArray compute(LossInputs in) {
        in.requireSlots(1, 1, 1, 1);
        Slot logits = in.prediction(0, "logits").requireRank("(N, m)", 2);
        if (logits.size(1) != points.length) {
            throw logits.fail("has shape " + logits.shape() + ", expected (N, " + points.length + "): one logit per "
                    + pointName);
        }
        Slot y = in.floatLabel(0, "y").requireRank("(N)", 1).requireSameBatch(logits);
        NDArray target = targetDistribution(y.array()).toType(in.computeType(), false);
        return RegressionMath.softTargetCrossEntropy(logits.array(), target);
    }

    /**
     * The lower end of the support.
     *
     * @return min
     */
    double min() {
        return min;
    }

    /**
     * The upper end of the support.
     *
     * @return max
     */
    double max() {
        return max;
    }

    /**
     * The support points (bin centres or atoms), shared: callers must not modify them.
     *
     * @return the m points
     */
    double[] points() {
        return points;
    }
}

package io.github.lossforge.core.testkit;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import ai.djl.training.loss.Loss;

/**
 * The value a loss returns for a sample and the gradient of its sum with respect to every floating
 * prediction slot, read back to the host.
 */
public final class Evaluation {

    private final double[] value;
    private final DataType valueType;
    private final double[][] gradients;

    private Evaluation(double[] value, DataType valueType, double[][] gradients) {
        this.value = value;
        this.valueType = valueType;
        this.gradients = gradients;
    }

    /**
     * Evaluates a loss with autograd and reads value and gradients.
     *
     * @param loss the loss
     * @param sample the sample
     * @param floatType the dtype of the floating slots
     * @return the evaluation
     */
    public static Evaluation of(Loss loss, Sample sample, DataType floatType) {
        return of(loss, sample, floatType, false);
    }

    /**
     * Evaluates a loss with autograd, optionally running a {@link GarbageScrub} between the forward
     * and the backward pass.
     *
     * @param loss the loss
     * @param sample the sample
     * @param floatType the dtype of the floating slots
     * @param scrub whether to collect and overwrite freed memory before backward
     * @return the evaluation
     */
    public static Evaluation of(Loss loss, Sample sample, DataType floatType, boolean scrub) {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList labels = sample.labelList(manager, floatType);
            NDList predictions = sample.predictionList(manager, floatType);
            double[] value;
            DataType type;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray result = loss.evaluate(labels, predictions);
                type = result.getDataType();
                value = result.toType(DataType.FLOAT64, false).toDoubleArray();
                NDArray total = result.sum();
                if (scrub) {
                    GarbageScrub.run();
                }
                collector.backward(total);
            }
            double[][] grads = new double[predictions.size()][];
            for (int i = 0; i < predictions.size(); i++) {
                if (sample.prediction(i).isFloating()) {
                    grads[i] = predictions.get(i).getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
                }
            }
            return new Evaluation(value, type, grads);
        }
    }

    /**
     * Evaluates a loss without autograd (the value only).
     *
     * @param loss the loss
     * @param sample the sample
     * @param floatType the dtype of the floating slots
     * @return the values, flattened
     */
    public static double[] valueOf(Loss loss, Sample sample, DataType floatType) {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList labels = sample.labelList(manager, floatType);
            NDList predictions = new NDList();
            sample.predictions().forEach(t -> predictions.add(t.toNDArray(manager, floatType)));
            return loss.evaluate(labels, predictions).toType(DataType.FLOAT64, false).toDoubleArray();
        }
    }

    /**
     * The returned value, flattened.
     *
     * @return the values
     */
    public double[] value() {
        return value.clone();
    }

    /**
     * The scalar returned value (mean/sum reductions).
     *
     * @return the value
     */
    public double scalar() {
        if (value.length != 1) {
            throw new IllegalStateException("the loss returned " + value.length + " values, not a scalar");
        }
        return value[0];
    }

    /**
     * The dtype of the returned array.
     *
     * @return the dtype
     */
    public DataType valueType() {
        return valueType;
    }

    /**
     * The gradient of the summed value with respect to a prediction slot.
     *
     * @param slot the prediction index
     * @return the gradient, flattened (null for a non-floating slot)
     */
    public double[] gradient(int slot) {
        return gradients[slot] == null ? null : gradients[slot].clone();
    }
}

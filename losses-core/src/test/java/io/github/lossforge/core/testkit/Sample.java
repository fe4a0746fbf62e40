package io.github.lossforge.core.testkit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** One input to a loss, held on the host: its label slots and its prediction slots. */
public final class Sample {

    private final List<HostTensor> labels;
    private final List<HostTensor> predictions;

    /**
     * Creates a sample.
     *
     * @param labels the label slots
     * @param predictions the prediction slots
     */
    public Sample(List<HostTensor> labels, List<HostTensor> predictions) {
        this.labels = List.copyOf(labels);
        this.predictions = List.copyOf(predictions);
    }

    /**
     * A label slot.
     *
     * @param i the index
     * @return the tensor
     */
    public HostTensor label(int i) {
        return labels.get(i);
    }

    /**
     * A prediction slot.
     *
     * @param i the index
     * @return the tensor
     */
    public HostTensor prediction(int i) {
        return predictions.get(i);
    }

    /**
     * The label slots.
     *
     * @return the labels
     */
    public List<HostTensor> labels() {
        return labels;
    }

    /**
     * The prediction slots.
     *
     * @return the predictions
     */
    public List<HostTensor> predictions() {
        return predictions;
    }

    /**
     * The same sample with one prediction slot replaced.
     *
     * @param i the index
     * @param tensor the new tensor
     * @return the sample
     */
    public Sample withPrediction(int i, HostTensor tensor) {
        List<HostTensor> p = new ArrayList<>(predictions);
        p.set(i, tensor);
        return new Sample(labels, p);
    }

    /**
     * The same sample with one label slot replaced.
     *
     * @param i the index
     * @param tensor the new tensor
     * @return the sample
     */
    public Sample withLabel(int i, HostTensor tensor) {
        List<HostTensor> l = new ArrayList<>(labels);
        l.set(i, tensor);
        return new Sample(l, predictions);
    }

    /**
     * The same sample with every slot transformed.
     *
     * @param f the transformation
     * @return the sample
     */
    public Sample mapAll(UnaryOperator<HostTensor> f) {
        List<HostTensor> l = new ArrayList<>();
        labels.forEach(t -> l.add(f.apply(t)));
        List<HostTensor> p = new ArrayList<>();
        predictions.forEach(t -> p.add(f.apply(t)));
        return new Sample(l, p);
    }

    /**
     * The label slots on the engine.
     *
     * @param manager the manager
     * @param floatType the dtype of floating slots
     * @return the labels
     */
    public NDList labelList(NDManager manager, DataType floatType) {
        NDList list = new NDList();
        labels.forEach(t -> list.add(t.toNDArray(manager, floatType)));
        return list;
    }

    /**
     * The prediction slots on the engine; floating ones require a gradient.
     *
     * @param manager the manager
     * @param floatType the dtype of floating slots
     * @return the predictions
     */
    public NDList predictionList(NDManager manager, DataType floatType) {
        NDList list = new NDList();
        for (HostTensor t : predictions) {
            NDArray a = t.toNDArray(manager, floatType);
            if (t.isFloating()) {
                a.setRequiresGradient(true);
            }
            list.add(a);
        }
        return list;
    }
}

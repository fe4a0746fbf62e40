package io.github.lossforge.core.testkit;

/**
 * An independent plain-Java, float64 computation of a loss: the per-sample values (one value for a
 * batch-level loss) and how the mean reduction combines them. Never calls the code under test.
 */
@FunctionalInterface
public interface Reference {

    /**
     * The per-sample values.
     *
     * @param sample the input
     * @return one value per sample, or a single value for a batch-level loss
     */
    double[] perSample(Sample sample);

    /**
     * The {@code mean} reduction; override when the loss averages over kept samples only.
     *
     * @param sample the input
     * @return the mean
     */
    default double mean(Sample sample) {
        double[] v = perSample(sample);
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /**
     * The {@code sum} reduction.
     *
     * @param sample the input
     * @return the sum
     */
    default double sum(Sample sample) {
        double s = 0;
        for (double x : perSample(sample)) {
            s += x;
        }
        return s;
    }
}

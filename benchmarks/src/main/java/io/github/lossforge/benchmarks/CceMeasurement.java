package io.github.lossforge.benchmarks;

/**
 * What was measured for one variant at one shape. Missing figures are {@code NaN} (times) or −1
 * (bytes).
 *
 * @param forwardMillis mean forward time
 * @param forwardBackwardMillis mean forward + backward time
 * @param forwardBytes peak RSS growth of the forward pass
 * @param forwardBackwardBytes peak RSS growth of forward + backward, gradient buffers included
 */
public record CceMeasurement(double forwardMillis, double forwardBackwardMillis, long forwardBytes,
        long forwardBackwardBytes) {

    /** Nothing measured. */
    public static final CceMeasurement NONE = new CceMeasurement(Double.NaN, Double.NaN, -1, -1);

    /**
     * This measurement with the times set.
     *
     * @param forward forward time
     * @param forwardBackward forward + backward time
     * @return the measurement
     */
    public CceMeasurement withTimes(double forward, double forwardBackward) {
        return new CceMeasurement(forward, forwardBackward, forwardBytes, forwardBackwardBytes);
    }

    /**
     * This measurement with the memory set.
     *
     * @param forward forward bytes
     * @param forwardBackward forward + backward bytes
     * @return the measurement
     */
    public CceMeasurement withMemory(long forward, long forwardBackward) {
        return new CceMeasurement(forwardMillis, forwardBackwardMillis, forward, forwardBackward);
    }
}

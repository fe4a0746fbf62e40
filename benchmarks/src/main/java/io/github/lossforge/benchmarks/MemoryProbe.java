package io.github.lossforge.benchmarks;

import java.io.IOException;
import java.util.Locale;

/**
 * Measures the peak resident-memory growth of one variant at one shape, in a JVM of its own (run
 * by {@link CceBench}): inputs are created and a tiny warm-up loads the engine, then for the
 * forward pass and for forward + backward in turn, the kernel's peak-RSS mark is reset ({@code
 * /proc/self/clear_refs}), the step runs, and the peak ({@code VmHWM}) minus the RSS just before is
 * the step's extra memory, gradient buffers included. Prints one line: {@value #PREFIX} followed by
 * {@code variant shape forwardBytes forwardBackwardBytes}.
 */
public final class MemoryProbe {

    /** The prefix of the result line. */
    public static final String PREFIX = "MEMORY ";

    private MemoryProbe() {}

    /**
     * Runs the probe.
     *
     * @param args variant name and shape {@code NxDxV}
     * @throws IOException when /proc cannot be read
     */
    public static void main(String[] args) throws IOException {
        CceVariant variant = CceVariant.valueOf(args[0]);
        CceShape shape = CceShape.parse(args[1]);
        try (CceWorkload warmUp = new CceWorkload(new CceShape(64, 16, 512), CceBench.SEED)) {
            warmUp.forward(variant);
            warmUp.forwardBackward(variant);
        }
        try (CceWorkload workload = new CceWorkload(shape, CceBench.SEED)) {
            long forward = PeakRss.growth(() -> workload.forward(variant));
            long forwardBackward = PeakRss.growth(() -> workload.forwardBackward(variant));
            System.out.println(String.format(Locale.ROOT, "%s%s %s %d %d", PREFIX, variant.name(), shape,
                    forward, forwardBackward));
        }
    }
}

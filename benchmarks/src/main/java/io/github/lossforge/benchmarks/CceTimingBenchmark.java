package io.github.lossforge.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * JMH timing of the linear cross-entropy at one shape: forward (no autograd recording) and
 * forward + backward, for the naive composition and {@code cce} exact and filtered. Each call is
 * seconds long, so the mode is single-shot: one call per iteration, in a forked JVM.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CceTimingBenchmark {

    /** The shape, {@code NxDxV}. */
    @Param({"4096x256x65536"})
    public String shape;

    private CceWorkload workload;

    /** Creates the inputs once per trial. */
    @Setup(Level.Trial)
    public void setUp() {
        workload = new CceWorkload(CceShape.parse(shape), CceBench.SEED);
    }

    /** Frees the inputs. */
    @TearDown(Level.Trial)
    public void tearDown() {
        workload.close();
    }

    /**
     * Naive forward.
     *
     * @return the loss
     */
    @Benchmark
    public float naiveForward() {
        return workload.forward(CceVariant.NAIVE);
    }

    /**
     * Naive forward and backward.
     *
     * @return the loss
     */
    @Benchmark
    public float naiveForwardBackward() {
        return workload.forwardBackward(CceVariant.NAIVE);
    }

    /**
     * Exact {@code cce} forward.
     *
     * @return the loss
     */
    @Benchmark
    public float cceExactForward() {
        return workload.forward(CceVariant.CCE_EXACT);
    }

    /**
     * Exact {@code cce} forward and backward.
     *
     * @return the loss
     */
    @Benchmark
    public float cceExactForwardBackward() {
        return workload.forwardBackward(CceVariant.CCE_EXACT);
    }

    /**
     * Filtered {@code cce} forward.
     *
     * @return the loss
     */
    @Benchmark
    public float cceFilteredForward() {
        return workload.forward(CceVariant.CCE_FILTERED);
    }

    /**
     * Filtered {@code cce} forward and backward.
     *
     * @return the loss
     */
    @Benchmark
    public float cceFilteredForwardBackward() {
        return workload.forwardBackward(CceVariant.CCE_FILTERED);
    }
}

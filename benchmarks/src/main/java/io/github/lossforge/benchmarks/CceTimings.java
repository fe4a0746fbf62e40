package io.github.lossforge.benchmarks;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Runs the JMH timing suite ({@link CceTimingBenchmark}) for one shape and prints one line per
 * benchmark: {@value #PREFIX} followed by {@code method shape meanMillis}. Run as its own JVM by
 * {@link CceBench}, so JMH's forks inherit a plain class path.
 */
public final class CceTimings {

    /** The prefix of the result lines. */
    public static final String PREFIX = "TIMING ";

    private CceTimings() {}

    /**
     * Runs the suite.
     *
     * @param args shape, warm-up iterations, measurement iterations, a regular expression of the
     *     benchmark methods to run, and the fork's JVM arguments (the rest)
     * @throws RunnerException when JMH fails
     */
    public static void main(String[] args) throws RunnerException {
        String shape = args[0];
        int warmup = Integer.parseInt(args[1]);
        int iterations = Integer.parseInt(args[2]);
        String methods = args[3];
        List<String> jvmArgs = new ArrayList<>(List.of(args).subList(4, args.length));
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(CceTimingBenchmark.class.getName() + "\\.(" + methods + ")$")
                .param("shape", shape)
                .forks(1)
                .warmupIterations(warmup)
                .measurementIterations(iterations)
                .jvmArgs(jvmArgs.toArray(new String[0]))
                .verbosity(VerboseMode.NORMAL);
        Collection<RunResult> results = new Runner(options.build()).run();
        for (RunResult r : results) {
            String method = r.getParams().getBenchmark();
            method = method.substring(method.lastIndexOf('.') + 1);
            System.out.println(String.format(Locale.ROOT, "%s%s %s %.3f", PREFIX, method, shape,
                    r.getPrimaryResult().getScore()));
        }
    }
}

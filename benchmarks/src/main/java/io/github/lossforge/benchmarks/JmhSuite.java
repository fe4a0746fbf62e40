package io.github.lossforge.benchmarks;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Runs the JMH benchmarks of one class and prints one line per benchmark: {@value #PREFIX} followed
 * by {@code method params meanMillis errorMillis}, params as {@code name=value} pairs sorted by
 * name and joined by commas ({@code -} when there are none). Run as its own JVM (through {@link ChildJvm}) so JMH's
 * forks inherit a plain class path; the benchmark classes report milliseconds per operation.
 */
public final class JmhSuite {

    /** The prefix of the result lines. */
    public static final String PREFIX = "TIMING ";

    private JmhSuite() {}

    /**
     * Runs a suite.
     *
     * @param args the benchmark class, warm-up iterations, measurement iterations, milliseconds per
     *     iteration, and the fork's JVM options (the rest)
     * @throws RunnerException when JMH fails
     */
    public static void main(String[] args) throws RunnerException {
        String benchmark = args[0];
        TimeValue time = TimeValue.milliseconds(Long.parseLong(args[3]));
        OptionsBuilder options = new OptionsBuilder();
        options.include(benchmark.replace(".", "\\.") + "\\.")
                .forks(1)
                .warmupIterations(Integer.parseInt(args[1]))
                .warmupTime(time)
                .measurementIterations(Integer.parseInt(args[2]))
                .measurementTime(time)
                .jvmArgs(List.of(args).subList(4, args.length).toArray(new String[0]))
                .verbosity(VerboseMode.NORMAL);
        Collection<RunResult> results = new Runner(options.build()).run();
        for (RunResult r : results) {
            String method = r.getParams().getBenchmark();
            method = method.substring(method.lastIndexOf('.') + 1);
            System.out.println(String.format(Locale.ROOT, "%s%s %s %.4f %.4f", PREFIX, method, params(r),
                    r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError()));
        }
    }

    private static String params(RunResult r) {
        List<String> pairs = new ArrayList<>();
        for (String key : new TreeSet<>(r.getParams().getParamsKeys())) {
            pairs.add(key + "=" + r.getParams().getParam(key));
        }
        return pairs.isEmpty() ? "-" : String.join(",", pairs);
    }
}

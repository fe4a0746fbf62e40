package io.github.lossforge.cli;

import io.github.lossforge.benchmarks.CceBench;
import io.github.lossforge.benchmarks.CceShape;
import io.github.lossforge.benchmarks.SuiteBench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code lossforge bench cce}: runs the Cut Cross-Entropy benchmark (memory probe and JMH suite in
 * JVMs of their own) and writes its report (JSON, markdown, SVG) to {@code benchmarks/results/}.
 * {@code lossforge bench contrastive-chunked | betti-matching | diffusion-fused} runs one of the
 * {@link SuiteBench} suites the same way ({@code --no-large} skips the contrastive N=16384 probes).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = CliVersion.class, description = "Run a benchmark suite and write its report. Suites: cce (Cut"
        + " Cross-Entropy vs materialised logits), contrastive-chunked, betti-matching, diffusion-fused. Heavy: minutes, several GiB of memory for the naive baseline.")
final class BenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SUITE", description = "the suite: cce, contrastive-chunked, betti-matching or diffusion-fused")
    private String suite;

    @Option(names = "--out", description = "report folder (default: benchmarks/results)")
    private Path out;

    @Option(names = "--warmup", defaultValue = "1", description = "JMH warm-up iterations (default: ${DEFAULT-VALUE})")
    private int warmup;

    @Option(names = "--iterations", defaultValue = "2",
            description = "JMH measured iterations (default: ${DEFAULT-VALUE})")
    private int iterations;

    @Option(names = "--large-iterations", defaultValue = "1",
            description = "measured iterations at the large shape (default: ${DEFAULT-VALUE})")
    private int largeIterations;

    @Option(names = "--no-large", description = "skip the large shape (cce only)")
    private boolean noLarge;

    @Option(names = "--no-timing", description = "skip the JMH timing")
    private boolean noTiming;

    @Option(names = "--no-memory", description = "skip the memory probe")
    private boolean noMemory;

    @Option(names = "--shape", description = "standard shape NxDxV (default: 4096x256x65536)")
    private String shape;

    @Option(names = "--large-shape", description = "large shape NxDxV (default: 8192x256x262144)")
    private String largeShape;

    @Option(names = "--render-only", description = "render cce.md and cce.svg again from cce.json, measure nothing")
    private boolean renderOnly;

    @Option(names = "--threads", defaultValue = "0",
            description = "libtorch threads in the benchmark JVMs, 0 for its default")
    private int threads;

    @Override
    public Integer call() throws Exception {
        if (!SuiteBench.SUITES.contains(suite) && !"cce".equals(suite)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "unknown benchmark suite '" + suite
                    + "', expected one of: cce, " + String.join(", ", SuiteBench.SUITES));
        }
        Validation.atLeast(spec, "--warmup", warmup, 0);
        Validation.atLeast(spec, "--iterations", iterations, 1);
        Validation.atLeast(spec, "--large-iterations", largeIterations, 1);
        Validation.atLeast(spec, "--threads", threads, 0);
        if (SuiteBench.SUITES.contains(suite)) {
            SuiteBench.Settings s = new SuiteBench.Settings();
            if (out != null) {
                s.out = out;
            }
            s.warmup = warmup;
            s.iterations = iterations;
            s.threads = threads;
            s.largeN = noLarge ? 0 : 16384;
            SuiteBench.run(suite, s, spec.commandLine().getOut());
            return 0;
        }
        CceBench.Settings s = new CceBench.Settings();
        if (out != null) {
            s.out = out;
        }
        s.warmup = warmup;
        s.iterations = iterations;
        s.largeIterations = largeIterations;
        s.large = !noLarge;
        s.timing = !noTiming;
        s.memory = !noMemory;
        s.threads = threads;
        s.renderOnly = renderOnly;
        if (shape != null) {
            s.shape = CceShape.parse(shape);
        }
        if (largeShape != null) {
            s.largeShape = CceShape.parse(largeShape);
        }
        CceBench.run(s, spec.commandLine().getOut());
        return 0;
    }
}

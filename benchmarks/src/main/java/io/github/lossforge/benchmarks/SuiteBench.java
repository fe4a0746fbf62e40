package io.github.lossforge.benchmarks;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The loss-family benchmark suites, each written as its own {@link SuiteReport} in {@code
 * benchmarks/results/}:
 *
 * <ul>
 *   <li>{@value #CONTRASTIVE}: peak memory (and one step's time) of {@code info-nce}, {@code nt-xent}
 *       and {@code multi-similarity} with the chunked evaluation against the whole-matrix form, one
 *       JVM per measurement ({@link ContrastiveMemoryProbe});
 *   <li>{@value #TOPOLOGY}: {@code betti-matching} on a 256×256 image against Dice on the same image,
 *       on one libtorch thread ({@link TopologyTimingBenchmark});
 *   <li>{@value #DIFFUSION}: the fused CPU kernels of {@code astar} and {@code bacon} against their
 *       autograd composition at K=8 maps of 64×64 ({@link FusedKernelBenchmark});
 *   <li>{@value #LOSSES}: every registered id at a realistic shape ({@link SuiteWorkloads}, the eager
 *       comparison's shapes for its 20), forward + backward time with {@code checks=full} against
 *       {@code checks=shapes}, and the peak memory of one step against the bytes of its inputs, on one
 *       libtorch thread ({@link LossesProbe}).
 * </ul>
 *
 * Every figure is a ratio against a baseline measured in the same run.
 */
public final class SuiteBench {

    /** The seed of every workload. */
    public static final long SEED = 42;

    /** The contrastive suite. */
    public static final String CONTRASTIVE = "contrastive-chunked";

    /** The topology suite. */
    public static final String TOPOLOGY = "betti-matching";

    /** The diffusion suite. */
    public static final String DIFFUSION = "diffusion-fused";

    /** The per-loss suite. */
    public static final String LOSSES = "losses";

    /** The suites, in the order {@code all} runs them. */
    public static final List<String> SUITES = List.of(CONTRASTIVE, TOPOLOGY, DIFFUSION, LOSSES);

    private static final double MIB = 1024.0 * 1024.0;

    /** Settings of a run. */
    public static final class Settings {
        /** Where the reports go. */
        public Path out = Files.isDirectory(Path.of("benchmarks")) ? Path.of("benchmarks", "results") : Path.of("results");
        /** JMH warm-up iterations. */
        public int warmup = 2;
        /** JMH measurement iterations. */
        public int iterations = 3;
        /** Milliseconds per JMH iteration. */
        public int iterationMillis = 1000;
        /** libtorch intra-op threads in the diffusion JVMs and the contrastive probes, 0 for its default. */
        public int threads;
        /** Batch size N of the contrastive probes (both forms). */
        public int n = 4096;
        /** Embedding size D of the contrastive probes. */
        public int d = 128;
        /** Rows per block of the chunked form. */
        public int chunk = 256;
        /** The large N, chunked form only; 0 to skip. */
        public int largeN;
    }

    private SuiteBench() {}

    /**
     * Runs suites: {@code SUITE... [--out DIR] [--warmup N] [--iterations N] [--iteration-ms N]
     * [--threads N] [--n N] [--d D] [--chunk K] [--large-n N]}, SUITE one of {@link #SUITES} or
     * {@code all}.
     *
     * @param args the suites and options
     * @throws IOException when a child JVM or a report fails
     * @throws InterruptedException when interrupted
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        Settings s = new Settings();
        List<String> suites = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> s.out = Path.of(args[++i]);
                case "--warmup" -> s.warmup = Integer.parseInt(args[++i]);
                case "--iterations" -> s.iterations = Integer.parseInt(args[++i]);
                case "--iteration-ms" -> s.iterationMillis = Integer.parseInt(args[++i]);
                case "--threads" -> s.threads = Integer.parseInt(args[++i]);
                case "--n" -> s.n = Integer.parseInt(args[++i]);
                case "--d" -> s.d = Integer.parseInt(args[++i]);
                case "--chunk" -> s.chunk = Integer.parseInt(args[++i]);
                case "--large-n" -> s.largeN = Integer.parseInt(args[++i]);
                case "all" -> suites.addAll(SUITES);
                default -> {
                    if (!SUITES.contains(args[i])) {
                        throw new IllegalArgumentException("unknown option or suite " + args[i] + ", suites: " + SUITES);
                    }
                    suites.add(args[i]);
                }
            }
        }
        PrintWriter log = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        for (String suite : suites.isEmpty() ? SUITES : suites) {
            run(suite, s, log);
        }
    }

    /**
     * Runs one suite and writes its report.
     *
     * @param suite one of {@link #SUITES}
     * @param s the settings
     * @param log where progress goes
     * @return the report
     * @throws IOException when a child JVM or the report fails
     * @throws InterruptedException when interrupted
     */
    public static SuiteReport run(String suite, Settings s, PrintWriter log) throws IOException, InterruptedException {
        SuiteReport report = switch (suite) {
            case CONTRASTIVE -> contrastive(s, log);
            case TOPOLOGY -> topology(s, log);
            case DIFFUSION -> diffusion(s, log);
            case LOSSES -> losses(s, log);
            default -> throw new IllegalArgumentException("unknown suite '" + suite + "', expected one of " + SUITES);
        };
        report.setting("load average at end", loadAverage());
        String markdown = report.write(s.out);
        log.println(markdown);
        log.println("report written to " + s.out.resolve(report.name() + ".md").toAbsolutePath());
        return report;
    }

    private static SuiteReport contrastive(Settings s, PrintWriter log) throws IOException, InterruptedException {
        SuiteReport report = new SuiteReport(CONTRASTIVE, "Chunked contrastive losses: memory",
                "Peak RSS growth of one forward + backward step (float32, gradient buffers included), each"
                        + " measurement in a JVM of its own after a warm-up step (`ContrastiveMemoryProbe`), of the"
                        + " chunked evaluation (`chunk` rows of the similarity matrix at a time, surrogate gradient)"
                        + " against the whole-matrix autograd form (`chunk=0`) of the same loss at the same shape."
                        + " `nt-xent` works on the 2N×2N matrix of both views. The step's wall time is one"
                        + " single-shot measurement, indicative only.");
        common(report, s, false);
        report.setting("libtorch threads", threads(s.threads));
        Map<String, long[]> probes = new HashMap<>();
        for (String id : ContrastiveMemoryProbe.LOSSES) {
            for (long chunk : new long[] {0, s.chunk}) {
                probes.put(id + " " + s.n + " " + chunk, probe(s, id, s.n, chunk, log));
            }
            if (s.largeN > 0) {
                probes.put(id + " " + s.largeN + " " + s.chunk, probe(s, id, s.largeN, s.chunk, log));
            }
        }
        for (String id : ContrastiveMemoryProbe.LOSSES) {
            long[] whole = probes.get(id + " " + s.n + " 0");
            long[] chunked = probes.get(id + " " + s.n + " " + s.chunk);
            String group = id + " N=" + s.n + " D=" + s.d;
            report.add(new Comparison(group, "chunk=" + s.chunk, "chunk=0 (whole matrix)", "fwd+bwd peak RSS growth",
                    "MiB", chunked[0] / MIB, whole[0] / MIB));
            report.add(new Comparison(group, "chunk=" + s.chunk, "chunk=0 (whole matrix)", "fwd+bwd step time",
                    "ms", chunked[1], whole[1]));
        }
        if (s.largeN > 0) {
            for (String id : ContrastiveMemoryProbe.LOSSES) {
                long[] whole = probes.get(id + " " + s.n + " 0");
                long[] large = probes.get(id + " " + s.largeN + " " + s.chunk);
                report.add(new Comparison(id + " D=" + s.d, "chunk=" + s.chunk + " at N=" + s.largeN,
                        "chunk=0 at N=" + s.n, "fwd+bwd peak RSS growth", "MiB", large[0] / MIB, whole[0] / MIB));
            }
            double side = 2.0 * s.largeN;
            double growth = (double) s.largeN * s.largeN / ((double) s.n * s.n);
            StringBuilder estimate = new StringBuilder();
            for (String id : ContrastiveMemoryProbe.LOSSES) {
                estimate.append(estimate.length() == 0 ? "" : ", ").append(id).append(String.format(Locale.ROOT,
                        " about %.0f GiB", probes.get(id + " " + s.n + " 0")[0] * growth / MIB / 1024));
            }
            report.note("At N=" + s.largeN + " the whole-matrix form is not run on this 24 GiB machine: one float32"
                    + " similarity matrix alone is " + String.format(Locale.ROOT, "%.1f", side * side * 4 / MIB / 1024)
                    + " GiB for nt-xent (2N×2N) and " + String.format(Locale.ROOT, "%.1f",
                    side * side / MIB / 1024) + " GiB for info-nce and multi-similarity (N×N), and autograd keeps"
                    + " several such matrices for backward. Its rows compare the chunked form at N=" + s.largeN
                    + " with the whole-matrix form at N=" + s.n + ". Scaling the whole-matrix figures measured at N="
                    + s.n + " by N² (an estimate, not a measurement), it would need " + estimate + " at N="
                    + s.largeN + ".");
        } else {
            report.note("The issue's target shape N=16384 was not run for this report (the whole-matrix form is too"
                    + " slow and large there on this machine); run with `--large-n 16384` for the chunked form.");
        }
        return report;
    }

    private static long[] probe(Settings s, String id, int n, long chunk, PrintWriter log)
            throws IOException, InterruptedException {
        log.println("memory probe: " + id + " N=" + n + " D=" + s.d + " chunk=" + chunk);
        List<String> lines = ChildJvm.run(s.threads, ContrastiveMemoryProbe.class,
                List.of(id, Integer.toString(n), Integer.toString(s.d), Long.toString(chunk)), log);
        for (String line : lines) {
            if (line.startsWith(ContrastiveMemoryProbe.PREFIX)) {
                String[] p = line.substring(ContrastiveMemoryProbe.PREFIX.length()).trim().split(" ");
                return new long[] {Long.parseLong(p[4]), Long.parseLong(p[5])};
            }
        }
        throw new IOException("the memory probe of " + id + " printed no result");
    }

    private static SuiteReport topology(Settings s, PrintWriter log) throws IOException, InterruptedException {
        SuiteReport report = new SuiteReport(TOPOLOGY, "Betti matching: time per image",
                "JMH average time of one forward + backward step on one 256×256 float32 image"
                        + " (`TopologyTimingBenchmark`: six rings and two lines, prediction with uniform noise of"
                        + " width 0.3, early training, or 0.05, late), against the"
                        + " Dice loss on the same probabilities, and `topo-dim0` for scale. One libtorch thread:"
                        + " the persistence itself is single-threaded Java.");
        common(report, s, true);
        report.setting("libtorch threads", "1");
        Map<String, double[]> t = time(TopologyTimingBenchmark.class, 1, s, log);
        for (String noise : new String[] {"0.3", "0.05"}) {
            String params = "noise=" + noise + ",size=256";
            String group = "256×256, noise " + noise + ", 1 thread";
            double dice = get(t, "dice", params);
            report.add(new Comparison(group, "betti-matching", "dice", "fwd+bwd time", "ms",
                    get(t, "bettiMatching", params), dice));
            report.add(new Comparison(group, "topo-dim0", "dice", "fwd+bwd time", "ms", get(t, "topoDim0", params), dice));
            double betti = get(t, "bettiMatching", params);
            report.note(String.format(Locale.ROOT, "betti-matching, noise %s: %.0f ms per 256×256 image (forward +"
                    + " backward, one thread), %s one second (the issue asks for well under a second on one core).",
                    noise, betti, betti < 1000 ? "below" : "above"));
        }
        report.logScale();
        return report;
    }

    private static SuiteReport diffusion(Settings s, PrintWriter log) throws IOException, InterruptedException {
        SuiteReport report = new SuiteReport(DIFFUSION, "Fused attention kernels vs autograd composition",
                "JMH average time of one forward + backward step (`FusedKernelBenchmark`, K=8 maps of 64×64,"
                        + " float32) with the fused CPU kernel (the default: value and gradient in one pass,"
                        + " returned through the surrogate) against the plain autograd composition"
                        + " (`optFused(false)`) of the same loss on the same maps. BACON is measured without and"
                        + " with a (4096, 4096) self-attention that requires a gradient (as when it comes from the"
                        + " latent being guided), so both forms also compute its (4096, 4096) gradient.");
        common(report, s, true);
        report.setting("libtorch threads", threads(s.threads));
        Map<String, double[]> t = time(FusedKernelBenchmark.class, s.threads, s, log);
        String[][] pairs = {{"astar", "astar K=8 64×64"}, {"bacon", "bacon K=8 64×64"},
            {"baconAligned", "bacon K=8 64×64 + self-attention"}};
        for (String[] p : pairs) {
            report.add(new Comparison(p[1], "fused kernel", "autograd composition", "fwd+bwd time", "ms",
                    get(t, p[0] + "Fused", "maps=8,size=64"), get(t, p[0] + "Composition", "maps=8,size=64")));
        }
        return report;
    }

    private static SuiteReport losses(Settings s, PrintWriter log) throws IOException, InterruptedException {
        int steps = Math.max(1, s.iterations);
        SuiteReport report = new SuiteReport(LOSSES, "Every loss: time and memory of one step",
                "Every registered id at a realistic shape: the 20 of the PyTorch eager comparison at its shapes"
                        + " (`EagerWorkloads`, `benchmarks/eager/`), the others at the typical batch and shape of"
                        + " their kind of loss (`SuiteWorkloads`: classification N=256, C=1000; metric learning"
                        + " N=512, D=128, 64 classes; face recognition C=10⁴; segmentation (8, C, 128, 128); 1024"
                        + " tokens over V=8192; attention maps 4×64×64; few-shot 5-way 5-shot; …), float32, on one"
                        + " libtorch thread. Time (`LossesProbe`, one JVM, glibc's default allocator settings): the"
                        + " median of " + steps + " forward + backward steps after one warm-up step with"
                        + " `checks=full` against the same steps with `checks=shapes` (the cost of the value checks,"
                        + " at most one host read per call). Memory (`LossesProbe --memory`, a second JVM with glibc's"
                        + " mmap threshold pinned at 64 KiB so that RSS follows live memory): the peak RSS growth of"
                        + " one step after a warm-up step (gradients included) against the bytes of the step's"
                        + " inputs; blocks under 64 KiB are not seen, so a few KiB means the step allocates little.");
        common(report, s, false);
        report.setting("libtorch threads", "1");
        report.setting("steps", "1 warm-up + " + steps + " measured per checks level (`--iterations " + steps + "`)");
        long start = System.nanoTime();
        Map<String, String[]> times = new java.util.LinkedHashMap<>();
        for (String line : ChildJvm.run(1, LossesProbe.class, List.of("--iterations", Integer.toString(steps)), 0,
                log)) {
            if (line.startsWith(LossesProbe.PREFIX + " ")) {
                String[] p = line.substring(LossesProbe.PREFIX.length()).trim().split(" ");
                times.put(p[0], p);
            }
        }
        Map<String, String[]> memory = new HashMap<>();
        for (String line : ChildJvm.run(1, LossesProbe.class, List.of("--memory"), 1 << 16, log)) {
            if (line.startsWith(LossesProbe.MEMORY_PREFIX + " ")) {
                String[] p = line.substring(LossesProbe.MEMORY_PREFIX.length()).trim().split(" ");
                memory.put(p[0], p);
            }
        }
        report.setting("suite wall time", String.format(Locale.ROOT, "%.0f s", (System.nanoTime() - start) / 1e9));
        for (String[] p : times.values()) {
            report.add(new Comparison(p[0], "checks=full (" + p[3] + " host read)", "checks=shapes", "fwd+bwd time",
                    "ms", Double.parseDouble(p[1]), Double.parseDouble(p[2])));
            String[] mem = memory.get(p[0]);
            if (mem != null) {
                report.add(new Comparison(p[0], "fwd+bwd peak RSS growth", "input bytes", "memory", "MiB",
                        Long.parseLong(mem[1]) / MIB, Long.parseLong(mem[2]) / MIB));
            }
        }
        List<String> missing = new ArrayList<>(io.github.lossforge.core.Losses.ids());
        missing.removeAll(times.keySet());
        report.note(times.size() + " of " + io.github.lossforge.core.Losses.ids().size() + " registered ids measured"
                + (missing.isEmpty() ? "." : "; not measured: " + String.join(", ", missing) + "."));
        report.note("`hybrid-multilabel` runs at N=64, a text fine-tuning batch (see `SuiteWorkloads`); every"
                + " other id at its family's default shape.");
        report.compactChart();
        return report;
    }

    private static Map<String, double[]> time(Class<?> benchmark, int threads, Settings s, PrintWriter log)
            throws IOException, InterruptedException {
        log.println("timing: " + benchmark.getSimpleName());
        List<String> args = new ArrayList<>(List.of(benchmark.getName(), Integer.toString(s.warmup),
                Integer.toString(s.iterations), Integer.toString(s.iterationMillis)));
        args.addAll(ChildJvm.options(threads));
        Map<String, double[]> times = new HashMap<>();
        for (String line : ChildJvm.run(threads, JmhSuite.class, args, log)) {
            if (line.startsWith(JmhSuite.PREFIX)) {
                String[] p = line.substring(JmhSuite.PREFIX.length()).trim().split(" ");
                times.put(p[0] + "@" + p[1], new double[] {Double.parseDouble(p[2]), Double.parseDouble(p[3])});
            }
        }
        return times;
    }

    private static double get(Map<String, double[]> times, String method, String params) {
        return times.getOrDefault(method + "@" + params, new double[] {Double.NaN})[0];
    }

    private static void common(SuiteReport report, Settings s, boolean jmh) {
        report.setting("date", Instant.now().toString());
        report.setting("machine", Runtime.getRuntime().availableProcessors() + " cores, "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", Java "
                + System.getProperty("java.version") + "; shared with other jobs (see the load averages)");
        report.setting("load average at start", loadAverage());
        if (jmh) {
            report.setting("JMH", "average time, 1 fork, " + s.warmup + " warm-up + " + s.iterations
                    + " measured iterations of " + s.iterationMillis + " ms");
        }
    }

    private static String threads(int threads) {
        return threads > 0 ? Integer.toString(threads) : "default";
    }

    private static String loadAverage() {
        try {
            String[] p = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return String.format(Locale.ROOT, "%s %s %s", p[0], p[1], p[2]);
        } catch (IOException e) {
            return "unknown";
        }
    }
}

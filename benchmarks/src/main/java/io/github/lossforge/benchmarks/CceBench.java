package io.github.lossforge.benchmarks;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The Cut Cross-Entropy benchmark: the memory probe ({@link MemoryProbe}, one JVM per variant and
 * shape) and the JMH timing suite ({@link CceTimingBenchmark}, through {@link CceTimings} in its own
 * JVM, which forks JMH's), then the report ({@link CceReport}) in {@code benchmarks/results/}.
 * Shapes: {@link CceShape#STANDARD} for naive, cce exact and cce filtered, and {@link
 * CceShape#LARGE} for the two cce variants only (naive does not fit in 24 GiB there).
 */
public final class CceBench {

    /** The seed of every workload. */
    public static final long SEED = 42;

    /** Settings of a run. */
    public static final class Settings {
        /** Where the report goes. */
        public Path out = Files.isDirectory(Path.of("benchmarks")) ? Path.of("benchmarks", "results") : Path.of("results");
        /** JMH warm-up iterations at the standard shape. */
        public int warmup = 1;
        /** JMH measurement iterations at the standard shape. */
        public int iterations = 2;
        /** JMH measurement iterations at the large shape (no warm-up there). */
        public int largeIterations = 1;
        /** Whether to run the large shape. */
        public boolean large = true;
        /** Whether to measure time (JMH). */
        public boolean timing = true;
        /** Whether to measure memory. */
        public boolean memory = true;
        /** The standard shape. */
        public CceShape shape = CceShape.STANDARD;
        /** The large shape. */
        public CceShape largeShape = CceShape.LARGE;
        /** libtorch intra-op threads in the child JVMs, 0 for its default. */
        public int threads;
        /** Whether to render {@code cce.md} and {@code cce.svg} again from {@code cce.json} instead of measuring. */
        public boolean renderOnly;
    }

    private CceBench() {}

    /**
     * Runs the benchmark with options {@code --out DIR --warmup N --iterations N --large-iterations N
     * --no-large --no-timing --no-memory --shape NxDxV --large-shape NxDxV --threads N --render-only}.
     *
     * @param args the options
     * @throws IOException when a child JVM or the report fails
     * @throws InterruptedException when interrupted
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        Settings s = new Settings();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> s.out = Path.of(args[++i]);
                case "--warmup" -> s.warmup = Integer.parseInt(args[++i]);
                case "--iterations" -> s.iterations = Integer.parseInt(args[++i]);
                case "--large-iterations" -> s.largeIterations = Integer.parseInt(args[++i]);
                case "--no-large" -> s.large = false;
                case "--no-timing" -> s.timing = false;
                case "--no-memory" -> s.memory = false;
                case "--shape" -> s.shape = CceShape.parse(args[++i]);
                case "--large-shape" -> s.largeShape = CceShape.parse(args[++i]);
                case "--threads" -> s.threads = Integer.parseInt(args[++i]);
                case "--render-only" -> s.renderOnly = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        run(s, out);
    }

    /**
     * Runs the benchmark and writes the report.
     *
     * @param s the settings
     * @param log where progress goes
     * @return the report
     * @throws IOException when a child JVM or the report fails
     * @throws InterruptedException when interrupted
     */
    public static CceReport run(Settings s, PrintWriter log) throws IOException, InterruptedException {
        if (s.renderOnly) {
            CceReport again = CceReport.fromJson(Files.readString(s.out.resolve("cce.json"), StandardCharsets.UTF_8));
            log.println(again.writeRendered(s.out));
            return again;
        }
        CceReport report = new CceReport();
        report.setting("date", Instant.now().toString());
        report.setting("machine", Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.name")
                + " " + System.getProperty("os.arch") + ", Java " + System.getProperty("java.version"));
        report.setting("load average at start", loadAverage());
        report.setting("JMH", "single-shot, 1 fork, " + s.warmup + " warm-up + " + s.iterations
                + " measured iterations (large shape: " + s.largeIterations + ", no warm-up)");
        report.setting("libtorch threads", s.threads > 0 ? Integer.toString(s.threads) : "default");
        report.setting("memory probe", "VmHWM − VmRSS around one step, glibc mmap threshold pinned at 1 MiB");
        List<CceVariant> cceOnly = List.of(CceVariant.CCE_EXACT, CceVariant.CCE_FILTERED);
        if (s.memory) {
            for (CceVariant v : CceVariant.values()) {
                probeMemory(report, s, v, s.shape, log);
            }
            if (s.large) {
                for (CceVariant v : cceOnly) {
                    probeMemory(report, s, v, s.largeShape, log);
                }
            }
        }
        if (s.timing) {
            time(report, s, s.shape, s.warmup, s.iterations, ".*", log);
            if (s.large) {
                time(report, s, s.largeShape, 0, s.largeIterations, "cce.*", log);
            }
        }
        report.setting("load average at end", loadAverage());
        String markdown = report.write(s.out);
        log.println(markdown);
        log.println("report written to " + s.out.toAbsolutePath());
        return report;
    }

    private static void probeMemory(CceReport report, Settings s, CceVariant v, CceShape shape,
            PrintWriter log) throws IOException, InterruptedException {
        log.println("memory probe: " + v.label() + " at " + shape);
        for (String line : ChildJvm.run(s.threads, MemoryProbe.class, List.of(v.name(), shape.toString()), true,
                log)) {
            if (line.startsWith(MemoryProbe.PREFIX)) {
                String[] p = line.substring(MemoryProbe.PREFIX.length()).trim().split(" ");
                report.put(shape, v, report.get(shape, v).withMemory(Long.parseLong(p[2]), Long.parseLong(p[3])));
            }
        }
    }

    private static void time(CceReport report, Settings s, CceShape shape, int warmup,
            int iterations, String methods, PrintWriter log) throws IOException, InterruptedException {
        log.println("timing: " + shape + " (" + methods + ")");
        List<String> args = new ArrayList<>(List.of(shape.toString(), Integer.toString(warmup),
                Integer.toString(iterations), methods));
        args.addAll(ChildJvm.options(s.threads));
        double[][] times = new double[CceVariant.values().length][2];
        for (double[] t : times) {
            t[0] = Double.NaN;
            t[1] = Double.NaN;
        }
        for (String line : ChildJvm.run(s.threads, CceTimings.class, args, false, log)) {
            if (line.startsWith(CceTimings.PREFIX)) {
                String[] p = line.substring(CceTimings.PREFIX.length()).trim().split(" ");
                String method = p[0];
                double ms = Double.parseDouble(p[2]);
                CceVariant v = method.startsWith("naive") ? CceVariant.NAIVE
                        : method.startsWith("cceExact") ? CceVariant.CCE_EXACT : CceVariant.CCE_FILTERED;
                times[v.ordinal()][method.endsWith("ForwardBackward") ? 1 : 0] = ms;
            }
        }
        for (CceVariant v : CceVariant.values()) {
            double[] t = times[v.ordinal()];
            if (!Double.isNaN(t[0]) || !Double.isNaN(t[1])) {
                report.put(shape, v, report.get(shape, v).withTimes(t[0], t[1]));
            }
        }
    }

    /**
     * The class path of this code: the URLs of its class loaders (under {@code mvn exec:java} the
     * project is loaded by a URL class loader and {@code java.class.path} is Maven's own), or
     * {@code java.class.path}.
     *
     * @return the class path
     */
    static String classpath() {
        Set<String> entries = new LinkedHashSet<>();
        for (ClassLoader cl = CceBench.class.getClassLoader(); cl != null; cl = cl.getParent()) {
            if (cl instanceof URLClassLoader u) {
                for (URL url : u.getURLs()) {
                    try {
                        entries.add(Path.of(url.toURI()).toString());
                    } catch (URISyntaxException | IllegalArgumentException e) {
                        entries.add(url.getPath());
                    }
                }
            }
        }
        return entries.isEmpty() ? System.getProperty("java.class.path") : String.join(File.pathSeparator, entries);
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

package io.github.lossforge.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a main class of this module in a JVM of its own, on this code's class path ({@link
 * CceBench#classpath()}), and returns its output lines, echoed to a log.
 */
final class ChildJvm {

    private ChildJvm() {}

    /**
     * The JVM options of every child (and of JMH's forks).
     *
     * @param threads libtorch intra-op threads, 0 for its default
     * @return the options
     */
    static List<String> options(int threads) {
        List<String> args = new ArrayList<>(List.of("-Xmx2g", "-Dai.djl.offline=true"));
        if (threads > 0) {
            args.add("-Dai.djl.pytorch.num_threads=" + threads);
        }
        return args;
    }

    /**
     * Runs a main class.
     *
     * @param threads libtorch intra-op threads, 0 for its default
     * @param mainClass the class
     * @param args its arguments
     * @param log where its output is echoed
     * @return its output lines
     * @throws IOException when it cannot start or exits with a non-zero code
     * @throws InterruptedException when interrupted
     */
    static List<String> run(int threads, Class<?> mainClass, List<String> args, PrintWriter log)
            throws IOException, InterruptedException {
        return run(threads, mainClass, args, false, log);
    }

    /**
     * Runs a main class. For memory probes glibc's mmap threshold can be pinned at 1 MiB, so every
     * freed block of that size or more goes back to the system and RSS follows live memory
     * (otherwise the threshold rises with the first large free and freed blocks stay resident, which
     * blurs the peak by tens of MiB).
     *
     * @param threads libtorch intra-op threads, 0 for its default
     * @param mainClass the class
     * @param args its arguments
     * @param pinMmapThreshold whether to pin glibc's mmap threshold (memory probes)
     * @param log where its output is echoed
     * @return its output lines
     * @throws IOException when it cannot start or exits with a non-zero code
     * @throws InterruptedException when interrupted
     */
    static List<String> run(int threads, Class<?> mainClass, List<String> args, boolean pinMmapThreshold,
            PrintWriter log) throws IOException, InterruptedException {
        return run(threads, mainClass, args, pinMmapThreshold ? 1 << 20 : 0, log);
    }

    /**
     * Runs a main class with glibc's mmap threshold pinned at a given size: every freed block of that
     * size or more goes back to the system. The lower it is, the closer RSS follows live memory (and
     * the more each allocation costs: time such a JVM only for memory).
     *
     * @param threads libtorch intra-op threads, 0 for its default
     * @param mainClass the class
     * @param args its arguments
     * @param mmapThreshold the threshold in bytes, 0 to leave glibc's dynamic threshold
     * @param log where its output is echoed
     * @return its output lines
     * @throws IOException when it cannot start or exits with a non-zero code
     * @throws InterruptedException when interrupted
     */
    static List<String> run(int threads, Class<?> mainClass, List<String> args, int mmapThreshold,
            PrintWriter log) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options(threads));
        command.add("-cp");
        command.add(CceBench.classpath());
        command.add(mainClass.getName());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (threads > 0) {
            builder.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
        }
        if (mmapThreshold > 0) {
            builder.environment().put("MALLOC_MMAP_THRESHOLD_", Integer.toString(mmapThreshold));
        }
        Process process = builder.start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.contains("WARNING")) {
                    log.println("  " + line);
                }
                lines.add(line);
            }
        }
        int code = process.waitFor();
        if (code != 0) {
            throw new IOException(mainClass.getName() + " " + args + " exited with " + code);
        }
        return lines;
    }
}

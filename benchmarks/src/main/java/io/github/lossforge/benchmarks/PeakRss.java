package io.github.lossforge.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The peak resident-memory growth of one step of work in this process (Linux): the kernel's
 * peak-RSS mark is reset ({@code /proc/self/clear_refs}), the step runs, and the peak ({@code
 * VmHWM}) minus the RSS just before is the step's extra memory. Run it in a JVM of its own, after a
 * warm-up that loads the engine, so nothing else moves the mark.
 */
public final class PeakRss {

    private PeakRss() {}

    /**
     * Measures a step.
     *
     * @param step the work
     * @return the peak RSS growth in bytes (0 when the RSS did not grow)
     * @throws IOException when /proc cannot be read or written
     */
    public static long growth(Runnable step) throws IOException {
        System.gc();
        long before = statusKiB("VmRSS");
        Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        step.run();
        long peak = statusKiB("VmHWM");
        return Math.max(0, peak - before) * 1024;
    }

    private static long statusKiB(String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(key + ":")) {
                return Long.parseLong(line.substring(key.length() + 1).replace("kB", "").trim());
            }
        }
        throw new IOException("no " + key + " in /proc/self/status");
    }
}

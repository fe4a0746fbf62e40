package io.github.lossforge.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The value checks of one {@code evaluate} call, deferred: each check leaves a few 0-dimensional
 * probes computed on the device (a min, a max, an "any violation" flag) and a verdict on their host
 * values; {@link #verify()} reads every pending probe in one host read and throws the first failed
 * check's {@link IllegalArgumentException}.
 */
final class ValueChecks {

    private final boolean enabled;
    private final List<Pending> pending = new ArrayList<>();

    ValueChecks(Checks.Level level) {
        this.enabled = level == Checks.Level.FULL;
    }

    boolean enabled() {
        return enabled;
    }

    void add(Slot slot, NDArray[] probes, Function<double[], String> verdict) {
        pending.add(new Pending(slot, probes, verdict));
    }

    /**
     * Reads every pending probe in one host read, forgets them, and throws for the first failed check.
     *
     * @throws IllegalArgumentException naming the slot of the first failed check
     */
    void verify() {
        if (pending.isEmpty()) {
            return;
        }
        List<Pending> checks = new ArrayList<>(pending);
        pending.clear();
        double[] values = readAll(checks);
        int at = 0;
        for (Pending p : checks) {
            double[] mine = new double[p.probes.length];
            System.arraycopy(values, at, mine, 0, mine.length);
            at += mine.length;
            String what = p.verdict.apply(mine);
            if (what != null) {
                throw p.slot.fail(what);
            }
        }
    }

    private static double[] readAll(List<Pending> checks) {
        // one stack and one cast per dtype, one concatenation, one read
        Map<DataType, List<NDArray>> byType = new LinkedHashMap<>();
        for (Pending p : checks) {
            for (NDArray probe : p.probes) {
                byType.computeIfAbsent(probe.getDataType(), t -> new ArrayList<>()).add(probe.reshape(1));
            }
        }
        NDList parts = new NDList();
        for (List<NDArray> group : byType.values()) {
            NDArray joined = group.size() == 1 ? group.get(0) : NDArrays.concat(new NDList(group));
            parts.add(joined.getDataType() == DataType.FLOAT64 ? joined : joined.toType(DataType.FLOAT64, false));
        }
        NDArray all = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts);
        // reordered by dtype above: map the values back to the checks' order
        double[] grouped = all.toDoubleArray();
        Checks.countHostRead();
        double[] ordered = new double[grouped.length];
        Map<DataType, Integer> offsets = new LinkedHashMap<>();
        int offset = 0;
        for (Map.Entry<DataType, List<NDArray>> e : byType.entrySet()) {
            offsets.put(e.getKey(), offset);
            offset += e.getValue().size();
        }
        int i = 0;
        for (Pending p : checks) {
            for (NDArray probe : p.probes) {
                int slot = offsets.get(probe.getDataType());
                offsets.put(probe.getDataType(), slot + 1);
                ordered[i++] = grouped[slot];
            }
        }
        return ordered;
    }

    /** One deferred check. */
    private static final class Pending {
        private final Slot slot;
        private final NDArray[] probes;
        private final Function<double[], String> verdict;

        Pending(Slot slot, NDArray[] probes, Function<double[], String> verdict) {
            this.slot = slot;
            this.probes = probes;
            this.verdict = verdict;
        }
    }
}

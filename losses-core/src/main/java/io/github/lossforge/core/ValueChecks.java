package io.github.lossforge.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.IdentityHashMap;
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
    private final Map<NDArray, NDArray[]> extremes = new IdentityHashMap<>();

    ValueChecks(Checks.Level level) {
        this.enabled = level == Checks.Level.FULL;
    }

    boolean enabled() {
        return enabled;
    }

    /**
     * The maximum and the minimum of an array, as probes, reduced once per call however many checks
     * ask (finiteness, a range, a lower bound of the same array).
     *
     * @param array a slot's array
     * @return {max, min}, 0-dimensional
     */
    NDArray[] extremes(NDArray array) {
        return extremes.computeIfAbsent(array, a -> new NDArray[] {a.max(), a.min()});
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
        extremes.clear();
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
        // each 0-d probe widened to float64, one stack, one read (a stack of 0-d arrays is several
        // times cheaper than concatenations in libtorch 2.7 on the CPU)
        NDList widened = new NDList();
        for (Pending p : checks) {
            for (NDArray probe : p.probes) {
                NDArray flat = probe.getShape().dimension() == 0 ? probe : probe.reshape(new Shape());
                widened.add(flat.getDataType() == DataType.FLOAT64 ? flat : flat.toType(DataType.FLOAT64, false));
            }
        }
        NDArray all = widened.size() == 1 ? widened.get(0).reshape(1) : NDArrays.stack(widened);
        double[] values = all.toDoubleArray();
        Checks.countHostRead();
        return values;
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

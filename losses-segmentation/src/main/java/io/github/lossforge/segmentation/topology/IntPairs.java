package io.github.lossforge.segmentation.topology;

import java.util.Arrays;

/** A growable list of int pairs without boxing (persistence intervals, index lists). */
final class IntPairs {

    private int[] data = new int[16];
    private int size;

    void add(int first, int second) {
        if (2 * size + 2 > data.length) {
            data = Arrays.copyOf(data, 2 * data.length);
        }
        data[2 * size] = first;
        data[2 * size + 1] = second;
        size++;
    }

    int size() {
        return size;
    }

    int first(int k) {
        return data[2 * k];
    }

    int second(int k) {
        return data[2 * k + 1];
    }

    /** The first components in insertion order. */
    int[] firsts() {
        int[] out = new int[size];
        for (int k = 0; k < size; k++) {
            out[k] = data[2 * k];
        }
        return out;
    }

    /** The first components in reverse insertion order. */
    int[] firstsReversed() {
        int[] out = new int[size];
        for (int k = 0; k < size; k++) {
            out[size - 1 - k] = data[2 * k];
        }
        return out;
    }
}

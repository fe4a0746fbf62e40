package io.github.lossforge.segmentation.topology;

/** The processing order of pixels for the cube assignment: a stable sort by value, O(n log n). */
final class PixelOrder {

    private PixelOrder() {}

    /**
     * Pixels sorted from the last to enter the filtration to the first: increasing value for the
     * superlevel filtration, decreasing for sublevel; equal values keep row-major order.
     *
     * @param values the pixel values
     * @param superlevel the filtration
     * @return the pixel indices in processing order
     */
    static int[] lastToEnterFirst(double[] values, boolean superlevel) {
        int n = values.length;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        int[] buffer = new int[n];
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n - width; lo += 2 * width) {
                merge(order, buffer, values, superlevel, lo, lo + width, Math.min(lo + 2 * width, n));
            }
        }
        return order;
    }

    private static void merge(int[] a, int[] buffer, double[] v, boolean ascending, int lo, int mid, int hi) {
        System.arraycopy(a, lo, buffer, lo, hi - lo);
        int i = lo;
        int j = mid;
        for (int k = lo; k < hi; k++) {
            if (i >= mid) {
                a[k] = buffer[j++];
            } else if (j >= hi) {
                a[k] = buffer[i++];
            } else if (before(v[buffer[j]], v[buffer[i]], ascending)) {
                a[k] = buffer[j++];
            } else {
                a[k] = buffer[i++];
            }
        }
    }

    /** Strictly before: equal values are not, so the merge stays stable. */
    private static boolean before(double x, double y, boolean ascending) {
        return ascending ? x < y : x > y;
    }
}

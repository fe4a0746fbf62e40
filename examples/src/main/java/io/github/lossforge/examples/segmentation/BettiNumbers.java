package io.github.lossforge.examples.segmentation;

import java.util.ArrayDeque;

/**
 * Betti numbers of a binary image: β₀ = connected components of the foreground (8-connected), β₁ =
 * holes, i.e. components of the background (4-connected, the dual connectivity) that do not touch the
 * border. A ring has β = (1, 1), a disk (1, 0).
 */
final class BettiNumbers {

    private static final int[][] EIGHT = {{-1, -1}, {-1, 0}, {-1, 1}, {0, -1}, {0, 1}, {1, -1}, {1, 0}, {1, 1}};
    private static final int[][] FOUR = {{-1, 0}, {0, -1}, {0, 1}, {1, 0}};

    private BettiNumbers() {
    }

    /**
     * β₀ and β₁ of a mask.
     *
     * @param mask row-major foreground mask
     * @param rows the height
     * @param cols the width
     * @return {β₀, β₁}
     */
    static int[] of(boolean[] mask, int rows, int cols) {
        if (mask.length != rows * cols) {
            throw new IllegalArgumentException("mask of " + mask.length + " pixels is not " + rows + "x" + cols);
        }
        boolean[] seen = new boolean[mask.length];
        int components = 0;
        int holes = 0;
        for (int p = 0; p < mask.length; p++) {
            if (seen[p]) {
                continue;
            }
            boolean foreground = mask[p];
            boolean touchesBorder = flood(mask, seen, p, rows, cols, foreground ? EIGHT : FOUR);
            if (foreground) {
                components++;
            } else if (!touchesBorder) {
                holes++;
            }
        }
        return new int[] {components, holes};
    }

    /** Marks the component of p (pixels of p's value); returns whether it reaches the border. */
    private static boolean flood(boolean[] mask, boolean[] seen, int start, int rows, int cols, int[][] steps) {
        boolean value = mask[start];
        boolean border = false;
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        queue.add(start);
        seen[start] = true;
        while (!queue.isEmpty()) {
            int p = queue.poll();
            int r = p / cols;
            int c = p % cols;
            border |= r == 0 || c == 0 || r == rows - 1 || c == cols - 1;
            for (int[] s : steps) {
                int rr = r + s[0];
                int cc = c + s[1];
                int q = rr * cols + cc;
                if (rr >= 0 && cc >= 0 && rr < rows && cc < cols && !seen[q] && mask[q] == value) {
                    seen[q] = true;
                    queue.add(q);
                }
            }
        }
        return border;
    }
}

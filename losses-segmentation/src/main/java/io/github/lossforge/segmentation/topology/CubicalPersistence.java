package io.github.lossforge.segmentation.topology;

/**
 * Persistent homology (dimensions 0 and 1) of a 2-D image in the V-construction, computed with
 * union-find in O(n log n): pixels are vertices, edges join 4-neighbours and squares fill 2×2 blocks;
 * a cube takes the value of the pixel that first reaches it, so under the superlevel filtration a cube
 * is the minimum of its pixels (the foreground is 4-connected, holes are 8-connected background).
 *
 * <p><b>Cube order (ties).</b> Pixel groups of equal value are processed from the last to enter the
 * filtration to the first (superlevel: increasing value), pixels of a group in row-major order. In each
 * group the not yet assigned adjacent squares of every pixel get decreasing indices (offsets (−1,−1),
 * (−1,+1), (+1,−1), (+1,+1)), then its edges (for k = −1, +1: the vertical edge, then the horizontal
 * one), then the pixels' vertices. The index order is the filtration order; a cube's value and its
 * gradient belong to the pixel that assigned it. This is the order of the official Betti-matching code,
 * so ties (plateaus) resolve as there.
 *
 * <p><b>Dimension 1</b> by duality: edges are scanned in decreasing index with a union-find over the
 * squares plus one outside node, each root keeping its largest index; an edge that joins two dual
 * components is critical and bears a hole (edge, smaller of the two roots' indices); the others are
 * kept for dimension 0. <b>Dimension 0</b>: a union-find over the vertices scans the kept edges in
 * increasing index, elder rule, giving (younger birth, edge), plus the essential class (0, ∞).
 * Intervals of zero persistence are dropped (the essential one is always kept).
 */
final class CubicalPersistence {

    /** The death of the essential class. */
    static final int ESSENTIAL = -1;

    private final int rows;
    private final int cols;
    private final int gridRows;
    private final int gridCols;
    private final int cubes;
    private final boolean superlevel;
    private final int[] indexAt;
    private final int[] positionOf;
    private final int[] pixelOf;
    private final double[] valueOf;
    private final IntPairs[] intervals = {new IntPairs(), new IntPairs()};
    private int[] dim0Edges;
    private int[] criticalEdges;

    /**
     * Computes the persistence of an image.
     *
     * @param values the pixel values, row-major, finite
     * @param rows the number of rows m ≥ 1
     * @param cols the number of columns n ≥ 1
     * @param superlevel true for the superlevel filtration (high values first), false for sublevel
     */
    CubicalPersistence(double[] values, int rows, int cols, boolean superlevel) {
        this.rows = rows;
        this.cols = cols;
        this.gridRows = 2 * rows - 1;
        this.gridCols = 2 * cols - 1;
        this.cubes = gridRows * gridCols;
        this.superlevel = superlevel;
        this.indexAt = new int[cubes];
        this.positionOf = new int[cubes];
        this.pixelOf = new int[cubes];
        this.valueOf = new double[cubes];
        java.util.Arrays.fill(indexAt, -1);
        assignCubes(values);
        computeDimension1();
        computeDimension0();
    }

    private void assignCubes(double[] values) {
        int[] order = PixelOrder.lastToEnterFirst(values, superlevel);
        int counter = cubes - 1;
        int start = 0;
        while (start < order.length) {
            double v = values[order[start]];
            int end = start;
            while (end < order.length && values[order[end]] == v) {
                end++;
            }
            for (int t = start; t < end; t++) {
                int p = order[t];
                int i = p / cols;
                int j = p % cols;
                for (int k = -1; k <= 1; k += 2) {
                    for (int l = -1; l <= 1; l += 2) {
                        counter = assign(2 * i + k, 2 * j + l, counter, p, v);
                    }
                }
            }
            for (int t = start; t < end; t++) {
                int p = order[t];
                int i = p / cols;
                int j = p % cols;
                for (int k = -1; k <= 1; k += 2) {
                    counter = assign(2 * i + k, 2 * j, counter, p, v);
                    counter = assign(2 * i, 2 * j + k, counter, p, v);
                }
            }
            for (int t = start; t < end; t++) {
                int p = order[t];
                counter = assign(2 * (p / cols), 2 * (p % cols), counter, p, v);
            }
            start = end;
        }
    }

    /** Gives the cube at (x, y) the next index if it lies in the grid and has none yet. */
    private int assign(int x, int y, int counter, int pixel, double value) {
        if (x < 0 || x >= gridRows || y < 0 || y >= gridCols) {
            return counter;
        }
        int position = x * gridCols + y;
        if (indexAt[position] != -1) {
            return counter;
        }
        indexAt[position] = counter;
        positionOf[counter] = position;
        pixelOf[counter] = pixel;
        valueOf[counter] = value;
        return counter - 1;
    }

    private void computeDimension1() {
        UnionFind dual = new UnionFind(cubes + 1, true);
        IntPairs kept = new IntPairs();
        IntPairs critical = new IntPairs();
        for (int edge = cubes - 1; edge >= 0; edge--) {
            if (dimension(edge) != 1) {
                continue;
            }
            int[] sides = dualBoundary(positionOf[edge], this);
            int a = dual.find(sides[0]);
            int b = dual.find(sides[1]);
            if (a == b) {
                kept.add(edge, 0);
                continue;
            }
            critical.add(edge, 0);
            int death = Math.min(dual.birth(a), dual.birth(b));
            if (positive(edge, death)) {
                intervals[1].add(edge, death);
            }
            dual.unionRoots(a, b);
        }
        dim0Edges = kept.firstsReversed();
        criticalEdges = critical.firsts();
    }

    private void computeDimension0() {
        UnionFind uf = new UnionFind(cubes, false);
        intervals[0].add(0, ESSENTIAL);
        for (int edge : dim0Edges) {
            int[] ends = boundary(positionOf[edge], this);
            int a = uf.find(ends[0]);
            int b = uf.find(ends[1]);
            if (a == b) {
                continue;
            }
            int birth = Math.max(uf.birth(a), uf.birth(b));
            if (positive(birth, edge)) {
                intervals[0].add(birth, edge);
            }
            uf.unionRoots(a, b);
        }
    }

    /** Whether (i, j) has non-zero persistence in this filtration. */
    private boolean positive(int i, int j) {
        return superlevel ? valueOf[i] > valueOf[j] : valueOf[i] < valueOf[j];
    }

    /**
     * The two vertices of the edge at a grid position, as indices of {@code indices}' filtration.
     *
     * @param position the edge's grid position
     * @param indices the complex whose indices are returned (same grid)
     * @return the two vertex indices
     */
    static int[] boundary(int position, CubicalPersistence indices) {
        int n = indices.gridCols;
        int x = position / n;
        int y = position % n;
        if ((x & 1) == 1) {
            return new int[] {indices.indexAt[(x - 1) * n + y], indices.indexAt[(x + 1) * n + y]};
        }
        return new int[] {indices.indexAt[x * n + y - 1], indices.indexAt[x * n + y + 1]};
    }

    /**
     * The two squares beside the edge at a grid position, as indices of {@code indices}' filtration,
     * the outside of the image being the extra node {@code indices.cubeCount()}.
     *
     * @param position the edge's grid position
     * @param indices the complex whose indices are returned (same grid)
     * @return the two square indices (or the outside node)
     */
    static int[] dualBoundary(int position, CubicalPersistence indices) {
        int m = indices.gridRows;
        int n = indices.gridCols;
        int outside = indices.cubes;
        int x = position / n;
        int y = position % n;
        if ((x & 1) == 0) {
            int above = x == 0 ? outside : indices.indexAt[(x - 1) * n + y];
            int below = x == m - 1 ? outside : indices.indexAt[(x + 1) * n + y];
            return new int[] {above, below};
        }
        int left = y == 0 ? outside : indices.indexAt[x * n + y - 1];
        int right = y == n - 1 ? outside : indices.indexAt[x * n + y + 1];
        return new int[] {left, right};
    }

    /** The dimension of the cube with a filtration index: 0 vertex, 1 edge, 2 square. */
    int dimension(int index) {
        int position = positionOf[index];
        return ((position / gridCols) & 1) + ((position % gridCols) & 1);
    }

    /** The number of cubes. */
    int cubeCount() {
        return cubes;
    }

    /** The grid position of a cube. */
    int positionOf(int index) {
        return positionOf[index];
    }

    /** The pixel (row-major) whose value a cube carries. */
    int pixelOf(int index) {
        return pixelOf[index];
    }

    /** The value of a cube. */
    double valueOf(int index) {
        return valueOf[index];
    }

    /** Whether the filtration is superlevel. */
    boolean superlevel() {
        return superlevel;
    }

    /**
     * The intervals of one dimension as (birth index, death index) pairs; the essential class of
     * dimension 0 comes first, with death {@link #ESSENTIAL}.
     *
     * @param dim 0 or 1
     * @return the intervals
     */
    IntPairs intervals(int dim) {
        return intervals[dim];
    }

    /** The edges that kill a component (or close nothing), in increasing index. */
    int[] dim0Edges() {
        return dim0Edges;
    }

    /** The edges that bear a hole, in decreasing index. */
    int[] criticalEdges() {
        return criticalEdges;
    }

    /**
     * The Betti number of one dimension at a threshold: intervals alive at {@code threshold}.
     *
     * @param dim 0 or 1
     * @param threshold the level
     * @return the count
     */
    int betti(int dim, double threshold) {
        int count = 0;
        IntPairs list = intervals[dim];
        for (int k = 0; k < list.size(); k++) {
            double birth = valueOf[list.first(k)];
            int d = list.second(k);
            if (superlevel) {
                double death = d == ESSENTIAL ? Double.NEGATIVE_INFINITY : valueOf[d];
                count += birth >= threshold && threshold > death ? 1 : 0;
            } else {
                double death = d == ESSENTIAL ? Double.POSITIVE_INFINITY : valueOf[d];
                count += birth <= threshold && threshold < death ? 1 : 0;
            }
        }
        return count;
    }
}

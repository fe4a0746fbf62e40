package io.github.lossforge.segmentation.topology;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;

/**
 * An independent float64 Betti matching: the cube order is built by sorting every cube with an
 * explicit key (not by incremental assignment), persistence and image persistence come from the
 * textbook column reduction of boundary matrices over Z/2 (not union-find), and the induced and Betti
 * matchings scan lists as the official code does.
 */
final class TopologyReference {

    private TopologyReference() {}

    /** A filtered V-construction complex of one image. */
    static final class Complex {
        final int gridRows;
        final int gridCols;
        final int[] indexAt;
        final int[] positionOf;
        final double[] valueOf;
        final int[] pixelOf;
        final List<int[]> dim0 = new ArrayList<>();
        final List<int[]> dim1 = new ArrayList<>();
        final List<Integer> negativeEdges = new ArrayList<>();
        final List<Integer> negativeSquares = new ArrayList<>();

        Complex(double[] image, int rows, int cols, boolean superlevel) {
            gridRows = 2 * rows - 1;
            gridCols = 2 * cols - 1;
            int cubes = gridRows * gridCols;
            long[][] keys = new long[cubes][];
            double[] value = new double[cubes];
            int[] pixel = new int[cubes];
            Double[] distinct = Arrays.stream(image).boxed().distinct()
                    .sorted(superlevel ? Comparator.naturalOrder() : Comparator.reverseOrder()).toArray(Double[]::new);
            for (int x = 0; x < gridRows; x++) {
                for (int y = 0; y < gridCols; y++) {
                    int best = -1;
                    for (int dx = -(x & 1); dx <= (x & 1); dx += 2) {
                        for (int dy = -(y & 1); dy <= (y & 1); dy += 2) {
                            int i = (x + dx) / 2;
                            int j = (y + dy) / 2;
                            int p = i * cols + j;
                            if (best < 0 || firstProcessed(image, p, best, superlevel)) {
                                best = p;
                            }
                        }
                    }
                    int i = best / cols;
                    int j = best % cols;
                    int dim = (x & 1) + (y & 1);
                    int phase = dim == 2 ? 0 : dim == 1 ? 1 : 2;
                    int sub;
                    if (dim == 2) {
                        sub = (x - 2 * i + 1) + (y - 2 * j + 1) / 2;
                    } else if (dim == 1) {
                        sub = (x & 1) == 1 ? (x - 2 * i + 1) : 1 + (y - 2 * j + 1);
                    } else {
                        sub = 0;
                    }
                    int group = Arrays.asList(distinct).indexOf(image[best]);
                    keys[x * gridCols + y] = new long[] {group, phase, best, sub, x * gridCols + y};
                    value[x * gridCols + y] = image[best];
                    pixel[x * gridCols + y] = best;
                }
            }
            Integer[] processing = new Integer[cubes];
            for (int c = 0; c < cubes; c++) {
                processing[c] = c;
            }
            Arrays.sort(processing, (a, b) -> Arrays.compare(keys[a], keys[b]));
            indexAt = new int[cubes];
            positionOf = new int[cubes];
            valueOf = new double[cubes];
            pixelOf = new int[cubes];
            for (int k = 0; k < cubes; k++) {
                int position = processing[k];
                int index = cubes - 1 - k;
                indexAt[position] = index;
                positionOf[index] = position;
                valueOf[index] = value[position];
                pixelOf[index] = pixel[position];
            }
            reduce(superlevel);
        }

        private static boolean firstProcessed(double[] image, int p, int q, boolean superlevel) {
            if (image[p] != image[q]) {
                return superlevel ? image[p] < image[q] : image[p] > image[q];
            }
            return p < q;
        }

        int dimension(int index) {
            int x = positionOf[index] / gridCols;
            int y = positionOf[index] % gridCols;
            return (x & 1) + (y & 1);
        }

        /** The faces of a cube as indices of {@code rows}' filtration. */
        BitSet faces(int index, Complex rows) {
            BitSet column = new BitSet();
            int x = positionOf[index] / gridCols;
            int y = positionOf[index] % gridCols;
            if ((x & 1) == 1) {
                column.flip(rows.indexAt[(x - 1) * gridCols + y]);
                column.flip(rows.indexAt[(x + 1) * gridCols + y]);
            }
            if ((y & 1) == 1) {
                column.flip(rows.indexAt[x * gridCols + y - 1]);
                column.flip(rows.indexAt[x * gridCols + y + 1]);
            }
            return column;
        }

        private void reduce(boolean superlevel) {
            int cubes = positionOf.length;
            int[] columnOfPivot = new int[cubes];
            Arrays.fill(columnOfPivot, -1);
            BitSet[] reduced = new BitSet[cubes];
            dim0.add(new int[] {0, -1});
            for (int j = 0; j < cubes; j++) {
                BitSet column = faces(j, this);
                while (!column.isEmpty() && columnOfPivot[column.length() - 1] >= 0) {
                    column.xor(reduced[columnOfPivot[column.length() - 1]]);
                }
                reduced[j] = column;
                if (column.isEmpty()) {
                    continue;
                }
                int low = column.length() - 1;
                columnOfPivot[low] = j;
                boolean positive = superlevel ? valueOf[low] > valueOf[j] : valueOf[low] < valueOf[j];
                if (dimension(j) == 1) {
                    negativeEdges.add(j);
                    if (positive) {
                        dim0.add(new int[] {low, j});
                    }
                } else {
                    negativeSquares.add(j);
                    if (positive) {
                        dim1.add(new int[] {low, j});
                    }
                }
            }
        }

        List<int[]> intervals(int dim) {
            return dim == 0 ? dim0 : dim1;
        }
    }

    /** Image persistence X → C by reducing C's negative columns with rows in X's order. */
    static List<List<int[]>> image(Complex x, Complex c) {
        List<int[]> d0 = new ArrayList<>();
        List<int[]> d1 = new ArrayList<>();
        d0.add(new int[] {0, -1});
        for (List<Integer> columns : List.of(c.negativeSquares, c.negativeEdges)) {
            int[] columnOfPivot = new int[x.positionOf.length];
            Arrays.fill(columnOfPivot, -1);
            BitSet[] reduced = new BitSet[c.positionOf.length];
            for (int j : columns) {
                BitSet column = c.faces(j, x);
                while (!column.isEmpty() && columnOfPivot[column.length() - 1] >= 0) {
                    column.xor(reduced[columnOfPivot[column.length() - 1]]);
                }
                reduced[j] = column;
                if (!column.isEmpty()) {
                    int low = column.length() - 1;
                    columnOfPivot[low] = j;
                    (x.dimension(low) == 0 ? d0 : d1).add(new int[] {low, j});
                }
            }
        }
        return List.of(d0, d1);
    }

    /** Induced matching X → C: triples (x-interval, c-interval) by list scans, as the official code. */
    static List<int[][]> induced(Complex x, Complex c, int dim) {
        List<int[]> unmatchedX = new ArrayList<>(x.intervals(dim));
        List<int[]> unmatchedC = new ArrayList<>(c.intervals(dim));
        List<int[][]> matched = new ArrayList<>();
        for (int[] im : image(x, c).get(dim)) {
            int[] mx = unmatchedX.stream().filter(v -> v[0] == im[0]).findFirst().orElse(null);
            int[] mc = unmatchedC.stream().filter(v -> v[1] == im[1]).findFirst().orElse(null);
            if (mx != null && mc != null) {
                matched.add(new int[][] {mx, mc});
                unmatchedX.remove(mx);
                unmatchedC.remove(mc);
            }
        }
        return matched;
    }

    static double[] pad(double[] image, int rows, int cols, boolean superlevel) {
        double extreme = superlevel
                ? Arrays.stream(image).max().orElseThrow()
                : Arrays.stream(image).min().orElseThrow();
        double[] out = new double[(rows + 2) * (cols + 2)];
        for (int i = 0; i < rows + 2; i++) {
            for (int j = 0; j < cols + 2; j++) {
                boolean inside = i > 0 && j > 0 && i <= rows && j <= cols;
                out[i * (cols + 2) + j] = inside ? image[(i - 1) * cols + (j - 1)] : extreme;
            }
        }
        return out;
    }

    /** The Betti matching loss of one image, from the official formula. */
    static double bettiMatching(double[] p, double[] g, int rows, int cols, boolean superlevel, boolean relative) {
        double[] c = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            c[i] = superlevel ? Math.max(p[i], g[i]) : Math.min(p[i], g[i]);
        }
        int r = rows;
        int k = cols;
        if (relative) {
            p = pad(p, rows, cols, superlevel);
            g = pad(g, rows, cols, superlevel);
            c = pad(c, rows, cols, superlevel);
            r += 2;
            k += 2;
        }
        Complex cp = new Complex(p, r, k, superlevel);
        Complex cg = new Complex(g, r, k, superlevel);
        Complex cc = new Complex(c, r, k, superlevel);
        double essential = superlevel ? 0 : 1;
        double loss = 0;
        for (int dim = 0; dim < 2; dim++) {
            List<int[]> unmatchedP = new ArrayList<>(cp.intervals(dim));
            List<int[]> unmatchedG = new ArrayList<>(cg.intervals(dim));
            List<int[][]> viaG = new ArrayList<>(induced(cg, cc, dim));
            for (int[][] mp : induced(cp, cc, dim)) {
                for (int[][] mg : viaG) {
                    if (mp[1] == mg[1]) {
                        double bp = cp.valueOf[mp[0][0]];
                        double dp = mp[0][1] < 0 ? essential : cp.valueOf[mp[0][1]];
                        double bg = cg.valueOf[mg[0][0]];
                        double dg = mg[0][1] < 0 ? essential : cg.valueOf[mg[0][1]];
                        loss += 2 * ((bp - bg) * (bp - bg) + (dp - dg) * (dp - dg));
                        unmatchedP.remove(mp[0]);
                        unmatchedG.remove(mg[0]);
                        viaG.remove(mg);
                        break;
                    }
                }
            }
            for (int[] v : unmatchedP) {
                double b = cp.valueOf[v[0]];
                double d = v[1] < 0 ? essential : cp.valueOf[v[1]];
                loss += (b - d) * (b - d);
            }
            for (int[] v : unmatchedG) {
                double b = cg.valueOf[v[0]];
                double d = v[1] < 0 ? essential : cg.valueOf[v[1]];
                loss += (b - d) * (b - d);
            }
        }
        return loss;
    }

    /** Hu et al.'s dimension-0 loss of one image. */
    static double hu(double[] p, double[] g, int rows, int cols, boolean superlevel) {
        Complex cp = new Complex(p, rows, cols, superlevel);
        Complex cg = new Complex(g, rows, cols, superlevel);
        double essential = superlevel ? 0 : 1;
        int components = 0;
        for (int[] v : cg.dim0) {
            double b = cg.valueOf[v[0]];
            double d = v[1] < 0 ? (superlevel ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY) : cg.valueOf[v[1]];
            components += (superlevel ? b >= 0.5 && 0.5 > d : b <= 0.5 && 0.5 < d) ? 1 : 0;
        }
        List<double[]> points = new ArrayList<>();
        for (int[] v : cp.dim0) {
            points.add(new double[] {cp.valueOf[v[0]], v[1] < 0 ? essential : cp.valueOf[v[1]]});
        }
        points.sort((a, b) -> Double.compare(Math.abs(b[0] - b[1]), Math.abs(a[0] - a[1])));
        double perfectBirth = superlevel ? 1 : 0;
        double perfectDeath = superlevel ? 0 : 1;
        double loss = 0;
        for (int k = 0; k < points.size(); k++) {
            double b = points.get(k)[0];
            double d = points.get(k)[1];
            loss += k < components
                    ? (b - perfectBirth) * (b - perfectBirth) + (d - perfectDeath) * (d - perfectDeath)
                    : 0.5 * (b - d) * (b - d);
        }
        return loss;
    }
}

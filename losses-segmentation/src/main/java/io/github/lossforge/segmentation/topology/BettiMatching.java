package io.github.lossforge.segmentation.topology;

/**
 * The Betti matching of a prediction P and a ground truth G through their comparison image C
 * (the union: max(P, G) for superlevel, min for sublevel), for dimensions 0 and 1.
 *
 * <p>Image persistence of P → C: dimension 0 is a union-find in P's indices over C's dimension-0
 * edges (births are P-indices, deaths C-indices); dimension 1 is a dual union-find over C's squares
 * on P's critical edges. The induced matching pairs a P-interval born where an image interval is born
 * with the C-interval dying where it dies; two intervals of P and G are Betti-matched when both are
 * induced-matched to the same C-interval. Every lookup is an array indexed by cube, so the matching is linear in the
 * number of cubes.
 */
final class BettiMatching {

    /** One Betti-matched pair: the index (into P's and G's interval lists) of each side. */
    record Match(int dim, int predicted, int truth) {}

    private final java.util.List<Match> matched = new java.util.ArrayList<>();
    private final boolean[][] predictedMatched = new boolean[2][];
    private final boolean[][] truthMatched = new boolean[2][];

    /**
     * Computes the matching.
     *
     * @param predicted the persistence of P
     * @param truth the persistence of G
     * @param comparison the persistence of the comparison image C
     */
    BettiMatching(CubicalPersistence predicted, CubicalPersistence truth, CubicalPersistence comparison) {
        for (int dim = 0; dim < 2; dim++) {
            predictedMatched[dim] = new boolean[predicted.intervals(dim).size()];
            truthMatched[dim] = new boolean[truth.intervals(dim).size()];
            int[] viaPredicted = induced(predicted, comparison, dim);
            int[] viaTruth = induced(truth, comparison, dim);
            for (int c = 0; c < viaPredicted.length; c++) {
                int p = viaPredicted[c];
                int g = viaTruth[c];
                if (p >= 0 && g >= 0) {
                    matched.add(new Match(dim, p, g));
                    predictedMatched[dim][p] = true;
                    truthMatched[dim][g] = true;
                }
            }
        }
    }

    /** The Betti-matched pairs. */
    java.util.List<Match> matched() {
        return matched;
    }

    /** Whether an interval of P (by its index in P's list of that dimension) is matched. */
    boolean predictedMatched(int dim, int k) {
        return predictedMatched[dim][k];
    }

    /** Whether an interval of G is matched. */
    boolean truthMatched(int dim, int k) {
        return truthMatched[dim][k];
    }

    /**
     * The induced matching of X → C in one dimension. Births of X and deaths of C are unique cube
     * indices, so the lookups are arrays indexed by cube (the essential death at the last slot).
     *
     * @return for each C-interval, the index of its matched X-interval, or −1
     */
    private static int[] induced(CubicalPersistence x, CubicalPersistence c, int dim) {
        IntPairs image = dim == 0 ? imageDimension0(x, c) : imageDimension1(x, c);
        IntPairs own = x.intervals(dim);
        int[] byBirth = filled(x.cubeCount(), -1);
        for (int k = own.size() - 1; k >= 0; k--) {
            byBirth[own.first(k)] = k;
        }
        IntPairs target = c.intervals(dim);
        int[] byDeath = filled(c.cubeCount() + 1, -1);
        for (int k = target.size() - 1; k >= 0; k--) {
            byDeath[deathSlot(target.second(k), c)] = k;
        }
        int[] result = filled(target.size(), -1);
        boolean[] used = new boolean[own.size()];
        for (int k = 0; k < image.size(); k++) {
            int mine = byBirth[image.first(k)];
            int theirs = byDeath[deathSlot(image.second(k), c)];
            if (mine >= 0 && theirs >= 0 && !used[mine] && result[theirs] < 0) {
                used[mine] = true;
                result[theirs] = mine;
            }
        }
        return result;
    }

    private static int deathSlot(int death, CubicalPersistence c) {
        return death == CubicalPersistence.ESSENTIAL ? c.cubeCount() : death;
    }

    private static int[] filled(int n, int value) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, value);
        return a;
    }

    /** Image persistence X → C, dimension 0: (X-index birth, C-index death), essential first. */
    private static IntPairs imageDimension0(CubicalPersistence x, CubicalPersistence c) {
        IntPairs out = new IntPairs();
        out.add(0, CubicalPersistence.ESSENTIAL);
        UnionFind uf = new UnionFind(x.cubeCount(), false);
        for (int edge : c.dim0Edges()) {
            int[] ends = CubicalPersistence.boundary(c.positionOf(edge), x);
            int a = uf.find(ends[0]);
            int b = uf.find(ends[1]);
            if (a == b) {
                continue;
            }
            out.add(Math.max(uf.birth(a), uf.birth(b)), edge);
            uf.unionRoots(a, b);
        }
        return out;
    }

    /** Image persistence X → C, dimension 1: (X-index edge, C-index square). */
    private static IntPairs imageDimension1(CubicalPersistence x, CubicalPersistence c) {
        IntPairs out = new IntPairs();
        UnionFind dual = new UnionFind(c.cubeCount() + 1, true);
        for (int edge : x.criticalEdges()) {
            int[] sides = CubicalPersistence.dualBoundary(x.positionOf(edge), c);
            int a = dual.find(sides[0]);
            int b = dual.find(sides[1]);
            if (a == b) {
                continue;
            }
            out.add(edge, Math.min(dual.birth(a), dual.birth(b)));
            dual.unionRoots(a, b);
        }
        return out;
    }
}

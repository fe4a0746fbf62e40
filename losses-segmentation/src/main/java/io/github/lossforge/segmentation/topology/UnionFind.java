package io.github.lossforge.segmentation.topology;

/**
 * Union-find over {@code 0..n-1} with path compression and union by rank; every root carries a
 * birth, and a union keeps the smaller birth (elder rule of dimension 0) or the larger one (the dual
 * union-find of dimension 1). Births start as the element's own index.
 */
final class UnionFind {

    private final int[] parent;
    private final byte[] rank;
    private final int[] birth;
    private final boolean keepLarger;

    /**
     * Creates n singletons.
     *
     * @param n the number of elements
     * @param keepLarger true for the dual union-find (a union keeps the larger birth)
     */
    UnionFind(int n, boolean keepLarger) {
        this.parent = new int[n];
        this.rank = new byte[n];
        this.birth = new int[n];
        this.keepLarger = keepLarger;
        for (int i = 0; i < n; i++) {
            parent[i] = i;
            birth[i] = i;
        }
    }

    int find(int x) {
        int root = x;
        while (parent[root] != root) {
            root = parent[root];
        }
        while (parent[x] != root) {
            int next = parent[x];
            parent[x] = root;
            x = next;
        }
        return root;
    }

    /** The birth of a root. */
    int birth(int root) {
        return birth[root];
    }

    /** Unites two distinct roots. */
    void unionRoots(int a, int b) {
        int kept = keepLarger ? Math.max(birth[a], birth[b]) : Math.min(birth[a], birth[b]);
        if (rank[a] > rank[b]) {
            parent[b] = a;
            birth[a] = kept;
        } else {
            parent[a] = b;
            birth[b] = kept;
            if (rank[a] == rank[b]) {
                rank[b]++;
            }
        }
    }
}

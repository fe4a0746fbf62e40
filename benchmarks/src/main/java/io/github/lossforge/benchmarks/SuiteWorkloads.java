package io.github.lossforge.benchmarks;

import static io.github.lossforge.benchmarks.EagerWorkloads.bernoulli;
import static io.github.lossforge.benchmarks.EagerWorkloads.classes;
import static io.github.lossforge.benchmarks.EagerWorkloads.normal;
import static io.github.lossforge.benchmarks.EagerWorkloads.pair;
import static io.github.lossforge.benchmarks.EagerWorkloads.uniform;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.Losses;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The inputs of the {@code losses} suite for the registry ids the eager comparison does not cover
 * ({@link EagerWorkloads} keeps its 20, at the shapes of {@code benchmarks/eager/losses.py}): each id
 * at the batch and shape typical of its kind of loss ({@link Size#REALISTIC}) with values its slots
 * accept, or at a tiny shape for the unit test ({@link Size#TINY}). {@link #workload} gives every
 * registered id's workload, the eager one where there is one. Prediction slots require a gradient.
 *
 * <p>Realistic shapes: classification N=256, C=1000; metric learning N=512, D=128 with 64 classes; face recognition N=256, D=512,
 * C=10⁴; segmentation (8, C, 128, 128); language modelling 1024 tokens, D=256, V=8192; diffusion
 * attention maps 4×64×64 (Attend-and-Excite: 4 images of 16×16 maps over SD's 77 tokens); few-shot
 * 5-way 5-shot with 15 queries per class, D=640; retrieval 256 queries over 1024 candidates (Mann–Whitney's
 * global AUC B=256 in-batch); multi-label text classification N=64, C=11, E=768;
 * binary and regression heads N=1024; pansharpening one WV3 tile of 8 bands, 128×128 at ratio 4;
 * dataset condensation the per-class gradients of a 3-layer ConvNet's layers on 10 classes.
 */
public final class SuiteWorkloads {

    /** The size of a workload. */
    public enum Size {
        /** The typical batch and shape of the loss's kind: what the suite measures. */
        REALISTIC,
        /** A few samples of a few features: one quick step per id in the unit test. */
        TINY;

        /**
         * A dimension at this size.
         *
         * @param realistic the realistic value
         * @param tiny the tiny value
         * @return the value for this size
         */
        int d(int realistic, int tiny) {
            return this == REALISTIC ? realistic : tiny;
        }
    }

    /** Inputs made at a size: {labels, predictions}. */
    @FunctionalInterface
    private interface Inputs {
        NDList[] make(NDManager m, Random r, Size s);
    }

    private record Entry(Map<String, Object> params, Inputs inputs) {}

    private static final Map<String, Entry> WORKLOADS = new LinkedHashMap<>();

    static {
        classification();
        metricLearning();
        faceAndHyperbolic();
        retrievalAndFewShot();
        binaryAndRegression();
        imagesAndDiffusion();
    }

    private SuiteWorkloads() {}

    /**
     * The ids with a workload here (not in {@link EagerWorkloads}).
     *
     * @return the ids
     */
    public static List<String> ids() {
        return List.copyOf(WORKLOADS.keySet());
    }

    /**
     * Every id the {@code losses} suite runs: the eager comparison's, then the others here.
     *
     * @return the ids
     */
    public static List<String> suiteIds() {
        List<String> all = new ArrayList<>(EagerWorkloads.ids());
        all.addAll(ids());
        return all;
    }

    /**
     * The registered ids without a workload in either class (empty when the suite covers the registry).
     *
     * @return the ids
     */
    public static List<String> missing() {
        List<String> missing = new ArrayList<>(Losses.ids());
        missing.removeAll(suiteIds());
        return missing;
    }

    /**
     * The workload of an id: the eager comparison's (one realistic shape, whatever the size) or this
     * class's at the size.
     *
     * @param id a registry id
     * @param size the size
     * @return the workload, or null when there is none
     */
    public static EagerWorkloads.Workload workload(String id, Size size) {
        EagerWorkloads.Workload eager = EagerWorkloads.of(id);
        if (eager != null) {
            return eager;
        }
        Entry e = WORKLOADS.get(id);
        return e == null ? null : new EagerWorkloads.Workload(e.params(), (m, r) -> e.inputs().make(m, r, size));
    }

    private static void put(String id, Map<String, Object> params, Inputs inputs) {
        if (EagerWorkloads.of(id) != null || WORKLOADS.put(id, new Entry(params, inputs)) != null) {
            throw new IllegalStateException("a second workload for " + id);
        }
    }

    private static void classification() {
        put("adv-comp-sum", Map.of(), (m, r, s) -> {
            int n = s.d(256, 6);
            int c = s.d(1000, 5);
            return pair(List.of(normal(m, r, 1, n, c), normal(m, r, 1, n, c)), List.of(classes(m, r, c, n)));
        });
        put("aldr-kl", Map.of("numSamples", 50_000), (m, r, s) -> {
            int n = s.d(256, 6);
            int c = s.d(1000, 5);
            return pair(List.of(normal(m, r, 1, n, c)), List.of(classes(m, r, c, n), sampleIds(m, r, n, 50_000)));
        });
        put("class-confusion", Map.of(), (m, r, s) -> pair(List.of(normal(m, r, 1, s.d(256, 6), s.d(1000, 5))),
                List.of()));
        put("correctness-aware", Map.of(), (m, r, s) -> {
            int n = s.d(256, 8);
            int c = s.d(1000, 5);
            long[] y = classIndices(r, c, n);
            float[] original = logitsWithAccuracy(r, y, c, 0.7);
            float[] calibrated = new float[original.length];
            for (int i = 0; i < original.length; i++) {
                calibrated[i] = original[i] / 1.5f;
            }
            return pair(List.of(m.create(calibrated, new Shape(n, c)), m.create(original, new Shape(n, c))),
                    List.of(m.create(y, new Shape(n))));
        });
        put("makd", Map.of(), (m, r, s) -> {
            int n = s.d(256, 6);
            int c = s.d(1000, 5);
            int aspects = s.d(20, 3);
            return pair(List.of(normal(m, r, 1, n, c + aspects)),
                    List.of(classes(m, r, c, n), uniform(m, r, 0, 1, n, aspects)));
        });
        // a fine-tuning batch of a BERT-sized text encoder
        put("hybrid-multilabel", Map.of(), (m, r, s) -> {
            int n = s.d(64, 6);
            int c = s.d(11, 4);
            return pair(List.of(normal(m, r, 1, n, c), normal(m, r, 1, n, s.d(768, 8))),
                    List.of(bernoulli(m, r, 0.2, n, c)));
        });
        put("z-loss-spherical-linear", Map.of(), (m, r, s) -> {
            int v = s.d(8192, 16);
            int n = s.d(1024, 6);
            int d = s.d(256, 4);
            return pair(List.of(normal(m, r, 1, n, d), normal(m, r, 0.1, v, d)), List.of(classes(m, r, v, n)));
        });
    }

    private static void metricLearning() {
        put("triplet-margin", Map.of(), (m, r, s) -> {
            int n = s.d(512, 8);
            return pair(List.of(normal(m, r, 1, n, s.d(128, 4))), List.of(classes(m, r, s.d(64, 3), n)));
        });
        put("symmetric-info-nce", Map.of(), (m, r, s) -> {
            int n = s.d(512, 6);
            int d = s.d(128, 4);
            return pair(List.of(normal(m, r, 1, n, d), normal(m, r, 1, n, d)), List.of());
        });
        put("metrix", Map.of(), (m, r, s) -> {
            int n = s.d(512, 8);
            int d = s.d(128, 4);
            int mixed = s.d(256, 4);
            return pair(List.of(normal(m, r, 1, n, d), normal(m, r, 1, mixed, d)), List.of(classes(m, r, s.d(64, 3), n),
                    classes(m, r, n, mixed), classes(m, r, n, mixed), uniform(m, r, 0, 1, mixed)));
        });
        put("amcl", Map.of(), (m, r, s) -> {
            int heads = s.d(4, 2);
            int views = s.d(512, 6);
            return pair(List.of(normal(m, r, 1, heads, views, s.d(128, 4)), uniform(m, r, 0.05, 0.5, heads, views),
                    uniform(m, r, 0.05, 0.5, heads, views)), List.of());
        });
        put("weighted-decorrelation", Map.of(), (m, r, s) -> {
            int n = s.d(128, 6);
            return pair(List.of(normal(m, r, 1, n, s.d(512, 4)), uniform(m, r, 0.5, 1.5, n)), List.of());
        });
        put("gradient-matching", Map.of(), (m, r, s) -> {
            int c = s.d(10, 2);
            int width = s.d(128, 3);
            long[][] layers = {{c, width, 3, 3, 3}, {c, width}, {c, width, width, 3, 3}, {c, 10, s.d(2048, 8)}};
            List<NDArray> synthetic = new ArrayList<>();
            List<NDArray> real = new ArrayList<>();
            for (long[] shape : layers) {
                synthetic.add(normal(m, r, 0.01, shape));
                real.add(normal(m, r, 0.01, shape));
            }
            return pair(synthetic, real);
        });
    }

    private static void faceAndHyperbolic() {
        for (String id : List.of("cosface", "unpg")) {
            put(id, Map.of(), (m, r, s) -> {
                int n = s.d(256, 6);
                int d = s.d(512, 4);
                int c = s.d(10_000, 5);
                return pair(List.of(normal(m, r, 1, n, d), normal(m, r, 1, c, d)), List.of(classes(m, r, c, n)));
            });
        }
        put("symface", Map.of(), (m, r, s) -> {
            int n = s.d(256, 6);
            int d = s.d(512, 4);
            return pair(List.of(normal(m, r, 1, n, d), normal(m, r, 1, n, d)), List.of());
        });
        // curvature c = 0.1 (the default): the ball has radius 1/√c
        double radius = 1 / Math.sqrt(0.1);
        put("hyp-ce", Map.of(), (m, r, s) -> {
            int n = s.d(256, 6);
            int d = s.d(64, 3);
            int k = s.d(100, 3);
            return pair(List.of(ball(m, r, 0.9 * radius, n, d), ball(m, r, 0.5 * radius, k, d), normal(m, r, 1, k, d)),
                    List.of(classes(m, r, k, n)));
        });
        put("hyp-pc", Map.of(), (m, r, s) -> pair(List.of(ball(m, r, 0.9 * radius, s.d(256, 6), s.d(64, 3))),
                List.of()));
    }

    private static void retrievalAndFewShot() {
        put("cprd", Map.of(), (m, r, s) -> {
            int q = s.d(256, 4);
            int k = s.d(256, 20);
            return pair(List.of(normal(m, r, 1, q, k)), List.of(normal(m, r, 1, q, k), bernoulli(m, r, 0.1, q, k)));
        });
        put("decoupled-softmax", Map.of(), (m, r, s) -> {
            int b = s.d(256, 4);
            int l = s.d(1024, 10);
            return pair(List.of(normal(m, r, 1, b, l)), List.of(bernoulli(m, r, 0.02, b, l)));
        });
        // In-batch negatives: row i's positive is column i; global pairing visits the B·(B² − B)
        // positive–negative pairs (gathered first; it once ran over all B⁴ entry pairs, 23 s a step).
        put("mw", Map.of(), (m, r, s) -> {
            int b = s.d(256, 6);
            return pair(List.of(normal(m, r, 1, b, b)), List.of(m.eye(b)));
        });
        for (String id : List.of("icnn", "proto-triplet")) {
            put(id, Map.of(), (m, r, s) -> {
                int ways = s.d(5, 2);
                int shots = s.d(5, 2);
                int queries = s.d(15, 2);
                int d = s.d(640, 4);
                return pair(List.of(normal(m, r, 1, ways * shots, d), normal(m, r, 1, ways * queries, d)),
                        List.of(episodeClasses(m, ways, shots), episodeClasses(m, ways, queries)));
            });
        }
    }

    private static void binaryAndRegression() {
        put("anyloss", Map.of(), (m, r, s) -> {
            int n = s.d(1024, 8);
            return pair(List.of(uniform(m, r, 0.01, 0.99, n)), List.of(bernoulli(m, r, 0.3, n)));
        });
        put("ensloss", Map.of(), (m, r, s) -> {
            int n = s.d(1024, 8);
            return pair(List.of(normal(m, r, 1, n)), List.of(bernoulli(m, r, 0.5, n)));
        });
        put("platt", Map.of(), (m, r, s) -> {
            int n = s.d(1024, 8);
            return pair(List.of(normal(m, r, 2, n)), List.of(bernoulli(m, r, 0.5, n)));
        });
        put("tri-bce", Map.of(), (m, r, s) -> {
            int n = s.d(1024, 8);
            return pair(List.of(normal(m, r, 1, n, 1), normal(m, r, 1, n, 1)), List.of(bernoulli(m, r, 0.5, n, 1)));
        });
        put("two-hot", Map.of("min", -10.0, "max", 10.0, "bins", 101), (m, r, s) -> {
            int n = s.d(1024, 6);
            return pair(List.of(normal(m, r, 1, n, 101)), List.of(uniform(m, r, -10, 10, n)));
        });
        put("aggregate", Map.of(), (m, r, s) -> {
            int bags = s.d(256, 3);
            int n = bags * s.d(16, 2);
            long[] bag = new long[n];
            for (int i = 0; i < n; i++) {
                bag[i] = i % bags;
            }
            return pair(List.of(normal(m, r, 1, n)), List.of(m.create(bag, new Shape(n)), normal(m, r, 1, bags)));
        });
        put("compositional-nll", Map.of(), (m, r, s) -> {
            int noise = s.d(1024, 8);
            return pair(List.of(normal(m, r, 1, s.d(256, 6)), normal(m, r, 1, noise), normal(m, r, 1, noise).sub(5)),
                    List.of());
        });
        put("cs-ib", Map.of(), (m, r, s) -> {
            int n = s.d(256, 6);
            return pair(List.of(normal(m, r, 1, n, 1), normal(m, r, 1, n, s.d(64, 3))),
                    List.of(normal(m, r, 1, n, 1), normal(m, r, 1, n, s.d(32, 3))));
        });
    }

    private static void imagesAndDiffusion() {
        put("cbc", Map.of(), (m, r, s) -> {
            long[] shape = {s.d(8, 2), s.d(4, 2), s.d(128, 4), s.d(128, 4)};
            return pair(List.of(normal(m, r, 2, shape)), List.of(normal(m, r, 2, shape)));
        });
        for (String id : List.of("betti-matching", "topo-dim0")) {
            put(id, Map.of(), (m, r, s) -> rings(m, r, s.d(8, 2), s.d(128, 16)));
        }
        put("pansharpening", Map.of(), (m, r, s) -> pansharpening(m, r, 8, s.d(128, 24), 4));
        put("astar-retention", Map.of(), (m, r, s) -> {
            long[] shape = {4, s.d(64, 4), s.d(64, 4)};
            return pair(List.of(uniform(m, r, 0, 1, shape)), List.of(bernoulli(m, r, 0.5, shape)));
        });
        put("attend-excite", Map.of(), (m, r, s) -> {
            int side = s.d(16, 4);
            int tokens = s.d(77, 6);
            NDArray tokenIndices = m.create(new long[] {2, 5}, new Shape(2));
            return pair(List.of(normal(m, r, 1, s.d(4, 1), side, side, tokens).softmax(-1)), List.of(tokenIndices));
        });
    }

    /** N sample ids of a training set of the given size, distinct, as a shuffled loader gives them. */
    private static NDArray sampleIds(NDManager m, Random r, int n, int trainingSet) {
        long[] ids = new long[n];
        int start = r.nextInt(trainingSet - n);
        for (int i = 0; i < n; i++) {
            ids[i] = start + i;
        }
        return m.create(ids, new Shape(n));
    }

    private static long[] classIndices(Random r, int c, int n) {
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(c);
        }
        return y;
    }

    /** Gaussian logits whose argmax is the target for about the given fraction of the rows. */
    private static float[] logitsWithAccuracy(Random r, long[] y, int c, double accuracy) {
        float[] z = new float[y.length * c];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < y.length; i++) {
            if (r.nextDouble() < accuracy) {
                z[i * c + (int) y[i]] += 6;
            }
        }
        return z;
    }

    /** Rows of dimension d inside the ball of the given radius: a Gaussian direction, a uniform radius. */
    private static NDArray ball(NDManager m, Random r, double maxRadius, int rows, int d) {
        float[] x = new float[rows * d];
        for (int i = 0; i < rows; i++) {
            double norm = 0;
            double[] g = new double[d];
            for (int j = 0; j < d; j++) {
                g[j] = r.nextGaussian();
                norm += g[j] * g[j];
            }
            double scale = maxRadius * r.nextDouble() / Math.sqrt(norm);
            for (int j = 0; j < d; j++) {
                x[i * d + j] = (float) (g[j] * scale);
            }
        }
        return m.create(x, new Shape(rows, d));
    }

    /** The classes of an episode's support or query set: {@code perClass} rows of each of the ways. */
    private static NDArray episodeClasses(NDManager m, int ways, int perClass) {
        long[] y = new long[ways * perClass];
        for (int i = 0; i < y.length; i++) {
            y[i] = i / perClass;
        }
        return m.create(y, new Shape(y.length));
    }

    /** Images of rings and lines ({@link TopologyTimingBenchmark#image}): noisy probabilities, 0/1 truth. */
    private static NDList[] rings(NDManager m, Random r, int n, int size) {
        float[] prediction = new float[n * size * size];
        float[] truth = new float[n * size * size];
        for (int i = 0; i < n; i++) {
            float[][] image = TopologyTimingBenchmark.image(size, 0.3, r.nextLong());
            System.arraycopy(image[0], 0, prediction, i * size * size, size * size);
            System.arraycopy(image[1], 0, truth, i * size * size, size * size);
        }
        Shape shape = new Shape(n, 1, size, size);
        return pair(List.of(m.create(prediction, shape)), List.of(m.create(truth, shape)));
    }

    /**
     * One pansharpening tile: PAN in [0.2, 0.9], a sharp image correlated with it, MS its ratio×ratio
     * block means, MS upsampled by repetition, and a fused prediction near the sharp image.
     */
    private static NDList[] pansharpening(NDManager m, Random r, int bands, int side, int ratio) {
        int pixels = side * side;
        int small = side / ratio;
        float[] pan = new float[pixels];
        for (int p = 0; p < pixels; p++) {
            pan[p] = (float) (0.2 + 0.7 * r.nextDouble());
        }
        float[] fused = new float[bands * pixels];
        float[] ms = new float[bands * small * small];
        float[] msUp = new float[bands * pixels];
        for (int b = 0; b < bands; b++) {
            double mix = 0.3 + 0.4 * r.nextDouble();
            float[] sharp = new float[pixels];
            for (int p = 0; p < pixels; p++) {
                sharp[p] = (float) (0.1 + 0.6 * pan[p] + 0.3 * r.nextDouble());
                fused[b * pixels + p] = (float) (0.1 + mix * pan[p] + 0.4 * r.nextDouble());
            }
            for (int y = 0; y < small; y++) {
                for (int x = 0; x < small; x++) {
                    double sum = 0;
                    for (int u = 0; u < ratio; u++) {
                        for (int v = 0; v < ratio; v++) {
                            sum += sharp[(y * ratio + u) * side + x * ratio + v];
                        }
                    }
                    ms[(b * small + y) * small + x] = (float) (sum / (ratio * ratio));
                }
            }
            for (int p = 0; p < pixels; p++) {
                msUp[b * pixels + p] = ms[(b * small + p / side / ratio) * small + p % side / ratio];
            }
        }
        return pair(List.of(m.create(fused, new Shape(1, bands, side, side))),
                List.of(m.create(pan, new Shape(1, 1, side, side)), m.create(ms, new Shape(1, bands, small, small)),
                        m.create(msUp, new Shape(1, bands, side, side))));
    }
}

package io.github.lossforge.benchmarks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;

/**
 * The inputs of the eager comparison, per registry id: the same shapes, value distributions and
 * parameters as {@code benchmarks/eager/losses.py} (the same formula written in PyTorch eager), and
 * the shapes the {@code losses} suite measures. Prediction slots require a gradient.
 */
public final class EagerWorkloads {

    /** One workload: registry parameters and the inputs, made on a manager. */
    public record Workload(Map<String, Object> params, BiFunction<NDManager, Random, NDList[]> inputs) {}

    private static final Map<String, Workload> WORKLOADS = new LinkedHashMap<>();

    static {
        put("ms-ssim", Map.of(), (m, r) -> pair(List.of(uniform(m, r, 0, 1, 2, 3, 256, 256)),
                List.of(uniform(m, r, 0, 1, 2, 3, 256, 256))));
        put("z-loss-spherical", Map.of(), (m, r) -> pair(List.of(normal(m, r, 1, 256, 1000)),
                List.of(classes(m, r, 1000, 256))));
        put("nt-xent", Map.of(), (m, r) -> pair(List.of(normal(m, r, 1, 512, 128), normal(m, r, 1, 512, 128)),
                List.of()));
        put("cce", Map.of(), (m, r) -> pair(List.of(normal(m, r, 0.1, 1024, 256), normal(m, r, 0.1, 8192, 256)),
                List.of(classes(m, r, 8192, 1024))));
        put("ldr-kl", Map.of(), (m, r) -> pair(List.of(normal(m, r, 1, 256, 1000)), List.of(classes(m, r, 1000, 256))));
        put("barlow-twins", Map.of(), (m, r) -> pair(List.of(normal(m, r, 1, 256, 512), normal(m, r, 1, 256, 512)),
                List.of()));
        put("dice", Map.of(), (m, r) -> pair(List.of(normal(m, r, 1, 8, 4, 128, 128)),
                List.of(classes(m, r, 4, 8, 128, 128))));
        put("multi-similarity", Map.of(), (m, r) -> pair(List.of(normal(m, r, 1, 512, 128)),
                List.of(classes(m, r, 64, 512))));
        put("info-nce", Map.of(), (m, r) -> pair(List.of(normal(m, r, 1, 512, 128), normal(m, r, 1, 512, 128)),
                List.of()));
        put("comp-sum", Map.of(), (m, r) -> pair(List.of(normal(m, r, 1, 256, 1000)),
                List.of(classes(m, r, 1000, 256))));
        put("arcface", Map.of(), (m, r) -> pair(List.of(normal(m, r, 1, 256, 512), normal(m, r, 1, 10000, 512)),
                List.of(classes(m, r, 10000, 256))));
        put("hl-gauss", Map.of("min", -10.0, "max", 10.0, "bins", 101), (m, r) -> pair(
                List.of(normal(m, r, 1, 1024, 101)), List.of(uniform(m, r, -10, 10, 1024))));
        put("astar-segregation", Map.of(), (m, r) -> pair(List.of(uniform(m, r, 0, 1, 4, 64, 64)), List.of()));
        put("cwcl", Map.of(), (m, r) -> pair(List.of(normal(m, r, 1, 512, 128), normal(m, r, 1, 512, 128)),
                List.of()));
        put("soft-top-k", Map.of(), (m, r) -> pair(List.of(normal(m, r, 1, 256, 1000)),
                List.of(bernoulli(m, r, 0.01, 256, 1000))));
        put("tversky", Map.of(), (m, r) -> pair(List.of(normal(m, r, 1, 8, 4, 128, 128)),
                List.of(classes(m, r, 4, 8, 128, 128))));
        put("ssim", Map.of(), (m, r) -> pair(List.of(uniform(m, r, 0, 1, 8, 3, 128, 128)),
                List.of(uniform(m, r, 0, 1, 8, 3, 128, 128))));
        put("dco", Map.of(), (m, r) -> pair(List.of(uniform(m, r, -20, -0.01, 4096)), List.of()));
        put("astar", Map.of(), (m, r) -> pair(List.of(uniform(m, r, 0, 1, 4, 64, 64)),
                List.of(bernoulli(m, r, 0.5, 4, 64, 64))));
        put("bacon", Map.of(), (m, r) -> pair(List.of(uniform(m, r, 0, 1, 4, 32, 32),
                normal(m, r, 1, 1024, 1024).softmax(1)), List.of(boxes(m, 4, 32))));
    }

    private EagerWorkloads() {}

    /**
     * The ids with a workload, in the order of the table.
     *
     * @return the ids
     */
    public static List<String> ids() {
        return List.copyOf(WORKLOADS.keySet());
    }

    /**
     * The workload of an id.
     *
     * @param id a registry id
     * @return the workload, or null when there is none
     */
    public static Workload of(String id) {
        return WORKLOADS.get(id);
    }

    private static void put(String id, Map<String, Object> params, BiFunction<NDManager, Random, NDList[]> inputs) {
        WORKLOADS.put(id, new Workload(params, inputs));
    }

    static NDList[] pair(List<NDArray> predictions, List<NDArray> labels) {
        return new NDList[] {new NDList(labels), new NDList(predictions)};
    }

    static NDArray normal(NDManager m, Random r, double scale, long... shape) {
        float[] d = new float[(int) new Shape(shape).size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (scale * r.nextGaussian());
        }
        return m.create(d, new Shape(shape));
    }

    static NDArray uniform(NDManager m, Random r, double lo, double hi, long... shape) {
        float[] d = new float[(int) new Shape(shape).size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return m.create(d, new Shape(shape));
    }

    static NDArray bernoulli(NDManager m, Random r, double p, long... shape) {
        float[] d = new float[(int) new Shape(shape).size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = r.nextDouble() < p ? 1 : 0;
        }
        return m.create(d, new Shape(shape));
    }

    static NDArray classes(NDManager m, Random r, int c, long... shape) {
        long[] d = new long[(int) new Shape(shape).size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = r.nextInt(c);
        }
        return m.create(d, new Shape(shape));
    }

    /** K boxes of 10×12 pixels on an h×h layout, as in the eager script. */
    private static NDArray boxes(NDManager m, int k, int h) {
        float[] d = new float[k * h * h];
        for (int i = 0; i < k; i++) {
            int r0 = 2 + 6 * i;
            int c0 = 4 + 5 * i;
            for (int r = r0; r < r0 + 10; r++) {
                for (int c = c0; c < c0 + 12; c++) {
                    d[(i * h + r) * h + c] = 1;
                }
            }
        }
        return m.create(d, new Shape(k, h, h)).toType(DataType.FLOAT32, false);
    }
}

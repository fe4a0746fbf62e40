package io.github.lossforge.benchmarks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.loss.Loss;
import io.github.lossforge.contrastive.pairs.MultiSimilarityLoss;
import io.github.lossforge.contrastive.selfsupervised.InfoNceLoss;
import io.github.lossforge.contrastive.selfsupervised.NtXentLoss;
import io.github.lossforge.core.Scalar;

import java.io.IOException;
import java.util.Locale;

/**
 * Measures, in a JVM of its own, the peak RSS growth ({@link PeakRss}) and the wall time of one
 * forward + backward step of a contrastive loss with and without its chunked evaluation. Inputs are
 * float32, seeded: two views x and x + 0.1·noise of N random D-dimensional embeddings ({@code
 * info-nce}: queries and keys; {@code nt-xent}: view 1 and view 2, a 2N×2N problem), or N embeddings
 * in N/8 classes of 8 ({@code multi-similarity}, mining on). A warm-up step at N=64 loads the engine
 * first. Prints one line: {@value #PREFIX} followed by {@code loss N D chunk bytes millis}.
 */
public final class ContrastiveMemoryProbe {

    /** The prefix of the result line. */
    public static final String PREFIX = "MEMORY ";

    /** The losses measured, by registry id. */
    public static final String[] LOSSES = {InfoNceLoss.ID, NtXentLoss.ID, MultiSimilarityLoss.ID};

    private ContrastiveMemoryProbe() {}

    /**
     * Runs the probe.
     *
     * @param args loss id, N, D, chunk (0 = whole matrix)
     * @throws IOException when /proc cannot be read
     */
    public static void main(String[] args) throws IOException {
        String id = args[0];
        int n = Integer.parseInt(args[1]);
        int d = Integer.parseInt(args[2]);
        long chunk = Long.parseLong(args[3]);
        step(id, 64, d, Math.min(chunk, 16));
        long[] millis = new long[1];
        long bytes;
        try (BenchArrays arrays = new BenchArrays(SuiteBench.SEED)) {
            NDList[] io = inputs(arrays, id, n, d);
            Loss loss = loss(id, chunk);
            bytes = PeakRss.growth(() -> {
                long start = System.nanoTime();
                arrays.forwardBackward(() -> loss.evaluate(io[0], io[1]));
                millis[0] = (System.nanoTime() - start) / 1_000_000;
            });
        }
        System.out.println(String.format(Locale.ROOT, "%s%s %d %d %d %d %d", PREFIX, id, n, d, chunk, bytes, millis[0]));
    }

    private static void step(String id, int n, int d, long chunk) {
        try (BenchArrays arrays = new BenchArrays(SuiteBench.SEED)) {
            NDList[] io = inputs(arrays, id, n, d);
            Loss loss = loss(id, chunk);
            arrays.forwardBackward(() -> loss.evaluate(io[0], io[1]));
        }
    }

    /**
     * The loss with a chunk option.
     *
     * @param id the registry id
     * @param chunk 0 for the whole matrix
     * @return the loss
     */
    static Loss loss(String id, long chunk) {
        return switch (id) {
            case InfoNceLoss.ID -> InfoNceLoss.builder().optChunk(chunk).build();
            case NtXentLoss.ID -> NtXentLoss.builder().optChunk(chunk).build();
            case MultiSimilarityLoss.ID -> MultiSimilarityLoss.builder().optChunk(chunk).build();
            default -> throw new IllegalArgumentException("no chunked contrastive loss '" + id + "'");
        };
    }

    /** Labels and predictions, kept (the embeddings with a gradient). */
    private static NDList[] inputs(BenchArrays arrays, String id, int n, int d) {
        NDManager m = arrays.manager();
        NDArray x = arrays.keep(m.randomNormal(0, 1, new Shape(n, d), DataType.FLOAT32), true);
        if (MultiSimilarityLoss.ID.equals(id)) {
            long[] classes = new long[n];
            for (int i = 0; i < n; i++) {
                classes[i] = i / 8;
            }
            NDArray labels = arrays.keep(m.create(classes), false);
            return new NDList[] {new NDList(labels), new NDList(x)};
        }
        NDArray noise = m.randomNormal(0, 1, new Shape(n, d), DataType.FLOAT32);
        NDArray y = arrays.keep(x.add(Scalar.mul(noise, 0.1)).stopGradient(), true);
        return new NDList[] {new NDList(), new NDList(x, y)};
    }
}

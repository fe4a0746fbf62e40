package io.github.lossforge.segmentation.topology;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.Slot;
import io.github.lossforge.segmentation.DenseSlots;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What the persistence-diagram losses share: predictions[0] (N, 1, H, W) and labels[0] ground truth
 * (N, 1, H, W) 0/1; each image's diagram terms are collected on the host (the persistence is
 * computed in Java on the values of the input dtype) and evaluated on the engine, one value per image.
 *
 * <p>Host-side by nature: persistence (union-find over the sorted pixels, matching of the diagrams)
 * is a sequential host algorithm, so these losses read the images to the host once per call (after
 * the value checks, in the same synchronisation on a GPU) and write the diagram terms back; with
 * {@code checks=shapes} this is their one device synchronisation. The images of a batch are processed
 * in parallel on a bounded pool of {@link #POOL_THREADS} daemon threads shared by all topology losses.
 */
abstract class TopologyLoss extends BaseLoss {

    /** The threads of the shared pool: at most 4, at most the available processors. */
    static final int POOL_THREADS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

    private static final ExecutorService POOL = Executors.newFixedThreadPool(POOL_THREADS, r -> {
        Thread t = new Thread(r, "lossforge-topology");
        t.setDaemon(true);
        return t;
    });

    private final boolean superlevel;
    private final boolean relative;
    private final boolean fromLogits;

    TopologyLoss(String id, Reduction reduction, Filtration filtration, boolean relative, boolean fromLogits) {
        super(id, reduction, true);
        this.superlevel = filtration == Filtration.SUPERLEVEL;
        this.relative = relative;
        this.fromLogits = fromLogits;
    }

    /** Whether the filtration is superlevel (high values enter first). */
    final boolean superlevel() {
        return superlevel;
    }

    /** The value that replaces the essential class's infinite death: 0 (superlevel) or 1 (sublevel). */
    final double essentialDeath() {
        return superlevel ? 0 : 1;
    }

    /**
     * Collects the diagram terms of one image.
     *
     * @param predicted the prediction's values, row-major (padded when relative)
     * @param truth the ground truth's values (padded when relative)
     * @param comparison the comparison image (padded when relative)
     * @param rows the rows of these arrays
     * @param cols the columns of these arrays
     * @param terms the collector
     */
    abstract void collect(double[] predicted, double[] truth, double[] comparison, int rows, int cols,
            DiagramTerms terms);

    /** {@inheritDoc} */
    @Override
    protected final NDArray compute(LossInputs in) {
        in.requireSlots(1, 1, 1, 1);
        String role = fromLogits ? "logits" : "probabilities";
        Slot scores = in.prediction(0, role).requireRank("(N, 1, H, W)", 4);
        if (scores.size(1) != 1) {
            throw scores.fail("has shape " + scores.shape() + ", expected one channel (N, 1, H, W)");
        }
        Slot truthSlot = DenseSlots.requireShapeOf(in.label(0, "ground truth"), scores);
        NDArray truth = DenseSlots.zeroOne(truthSlot, DataType.FLOAT64, "a 0/1 ground truth");
        NDArray p = fromLogits ? Activation.sigmoid(scores.array()) : scores.array();
        int n = (int) scores.size(0);
        int rows = (int) scores.size(2);
        int cols = (int) scores.size(3);
        // bad values are reported before the host algorithm sees them
        in.verifyValues();
        double[] hostP = p.toType(DataType.FLOAT64, false).toDoubleArray();
        double[] hostT = truth.toDoubleArray();
        List<DiagramTerms> collected = collectAll(hostP, hostT, n, rows, cols);
        NDList perImage = new NDList();
        for (int k = 0; k < n; k++) {
            DiagramTerms terms = collected.get(k);
            NDArray pixels = p.get(k).reshape(-1);
            NDArray extreme = superlevel ? pixels.max() : pixels.min();
            perImage.add(terms.evaluate(pixels, extreme));
        }
        // NDArrays.concat of a single array returns a detached duplicate: keep the graph for N = 1.
        return n == 1 ? perImage.get(0) : NDArrays.concat(perImage);
    }

    /** The diagram terms of every image, images in parallel on the shared pool (the engine is not used). */
    private List<DiagramTerms> collectAll(double[] hostP, double[] hostT, int n, int rows, int cols) {
        List<Callable<DiagramTerms>> tasks = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            int image = k;
            tasks.add(() -> collectImage(hostP, hostT, image, rows, cols));
        }
        try {
            if (n == 1) {
                return List.of(tasks.get(0).call());
            }
            List<DiagramTerms> out = new ArrayList<>(n);
            for (Future<DiagramTerms> f : POOL.invokeAll(tasks)) {
                out.add(f.get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(id() + ": interrupted while computing persistence", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw new IllegalStateException(id() + ": persistence failed", cause);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(id() + ": persistence failed", e);
        }
    }

    private DiagramTerms collectImage(double[] hostP, double[] hostT, int k, int rows, int cols) {
        double[] predicted = Arrays.copyOfRange(hostP, k * rows * cols, (k + 1) * rows * cols);
        double[] target = Arrays.copyOfRange(hostT, k * rows * cols, (k + 1) * rows * cols);
        double[] comparison = new double[predicted.length];
        for (int i = 0; i < comparison.length; i++) {
            comparison[i] = superlevel ? Math.max(predicted[i], target[i]) : Math.min(predicted[i], target[i]);
        }
        int r = relative ? rows + 2 : rows;
        int c = relative ? cols + 2 : cols;
        DiagramTerms terms = new DiagramTerms(rows, cols, relative);
        collect(pad(predicted, rows, cols), pad(target, rows, cols), pad(comparison, rows, cols), r, c, terms);
        return terms;
    }

    /** The image with a 1-pixel border of its extreme value when relative, else the image itself. */
    private double[] pad(double[] image, int rows, int cols) {
        if (!relative) {
            return image;
        }
        double extreme = superlevel ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        for (double v : image) {
            extreme = superlevel ? Math.max(extreme, v) : Math.min(extreme, v);
        }
        double[] out = new double[(rows + 2) * (cols + 2)];
        Arrays.fill(out, extreme);
        for (int i = 0; i < rows; i++) {
            System.arraycopy(image, i * cols, out, (i + 1) * (cols + 2) + 1, cols);
        }
        return out;
    }
}

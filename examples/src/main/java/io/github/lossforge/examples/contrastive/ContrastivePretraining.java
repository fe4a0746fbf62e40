package io.github.lossforge.examples.contrastive;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Losses;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.examples.support.AdamUpdater;
import io.github.lossforge.examples.support.ExampleArgs;
import io.github.lossforge.examples.support.ExampleResult;

import java.util.List;
import java.util.Map;

/**
 * Contrastive pre-training, SimCLR style: an encoder f and a projection head g are trained without
 * labels so that the two views of an instance agree, \( L = \ell(g(f(x^{(1)})), g(f(x^{(2)}))) \)
 * with \( \ell \) = NT-Xent by default. The representation f(x) is then judged with labels it
 * never saw: the 1-nearest-neighbour accuracy (cosine) of held-out views against a labelled
 * reference set, before and after training. The data ({@link TwoViewData}) hide the class in 8 of
 * 32 dimensions under a nuisance that changes between views.
 *
 * <p>The loss is evaluated in row chunks ({@code chunk} = 64: the 2N×2N similarity matrix is never
 * held at once, see {@code BlockedSimilarity}); the example first checks that the chunked value and
 * gradient equal those of the whole matrix. Other two-view losses: {@code --loss info-nce},
 * {@code symmetric-info-nce}, {@code barlow-twins}; and {@code cwcl}, which aligns a trained modality
 * with a frozen one: here the first view goes through a frozen "pre-trained" encoder (a fixed random
 * projection of the 8 class-carrying dimensions) and only the second view's encoder is trained.
 *
 * <p>Run: {@code examples/run-examples.sh contrastive.ContrastivePretraining [--quick] [--loss ID]}.
 */
public final class ContrastivePretraining {

    /** The two-view losses this example trains with. */
    public static final List<String> LOSSES = List.of("nt-xent", "info-nce", "symmetric-info-nce", "barlow-twins",
            "cwcl");

    private static final int CLASSES = 8;
    private static final int CHUNK = 64;

    private ContrastivePretraining() {
    }

    /** What a run measured. */
    record Result(double accuracyBefore, double accuracyAfter, double lossBefore, double lossAfter) {}

    /**
     * Pre-trains with one loss and measures 1-NN accuracy before and after.
     *
     * @param lossId a two-view loss
     * @param steps Adam steps
     * @param batch instances per step (2 × batch views)
     * @param seed data and initialisation seed
     * @return the measurements
     */
    static Result pretrain(String lossId, int steps, int batch, long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        TwoViewData data = new TwoViewData(CLASSES, seed);
        BaseLoss loss = Losses.create(lossId, chunked(lossId, CHUNK));
        try (NDManager manager = NDManager.newBaseManager()) {
            Block encoder = mlp(64, 32);
            Block head = new SequentialBlock().add(Activation::relu).add(Linear.builder().setUnits(16).build());
            encoder.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
            head.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
            encoder.initialize(manager, DataType.FLOAT32, new Shape(1, TwoViewData.DIMENSIONS));
            head.initialize(manager, DataType.FLOAT32, new Shape(1, 32));
            ParameterStore store = new ParameterStore(manager, false);
            NDArray frozen = manager.randomNormal(new Shape(TwoViewData.SIGNAL, 16));
            AdamUpdater adam = new AdamUpdater(3e-3).add(encoder).add(head);
            TwoViewData.Labelled reference = data.labelled(manager, 400);
            TwoViewData.Labelled queries = data.labelled(manager, 400);
            double before = nearestNeighbourAccuracy(encoder, store, reference, queries);
            double firstLoss = Double.NaN;
            double lastLoss = Double.NaN;
            for (int step = 1; step <= steps; step++) {
                try (NDManager m = manager.newSubManager()) {
                    TwoViewData.Pair views = data.pairs(m, batch);
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray z1 = lossId.equals("cwcl")
                                ? views.first().get(":, :" + TwoViewData.SIGNAL).matMul(frozen)
                                : forward(head, store, forward(encoder, store, views.first()));
                        NDArray z2 = forward(head, store, forward(encoder, store, views.second()));
                        NDArray value = loss.evaluate(new NDList(), new NDList(z1, z2));
                        collector.backward(value);
                        lastLoss = value.getFloat();
                    }
                    adam.step();
                }
                if (step == 1) {
                    firstLoss = lastLoss;
                }
                if (step % Math.max(1, steps / 5) == 0) {
                    System.out.printf("  step %4d  %s %.4f%n", step, lossId, lastLoss);
                }
            }
            double after = nearestNeighbourAccuracy(encoder, store, reference, queries);
            return new Result(before, after, firstLoss, lastLoss);
        }
    }

    /**
     * The largest difference between the chunked and the whole-matrix evaluation of a loss, in value
     * and in the gradient with respect to both views, on random embeddings.
     *
     * @param lossId a loss with a {@code chunk} parameter
     * @param rows instances (2 × rows views)
     * @return {value difference, largest gradient difference}
     */
    static double[] chunkAgreement(String lossId, int rows) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.randomNormal(new Shape(rows, 16));
            NDArray b = m.randomNormal(new Shape(rows, 16));
            double[][] whole = valueAndGradient(Losses.create(lossId), a, b);
            double[][] chunked = valueAndGradient(Losses.create(lossId, chunked(lossId, CHUNK)), a, b);
            double gradient = 0;
            for (int i = 1; i < whole.length; i++) {
                for (int k = 0; k < whole[i].length; k++) {
                    gradient = Math.max(gradient, Math.abs(whole[i][k] - chunked[i][k]));
                }
            }
            return new double[] {Math.abs(whole[0][0] - chunked[0][0]), gradient};
        }
    }

    private static double[][] valueAndGradient(BaseLoss loss, NDArray a, NDArray b) {
        NDArray x = a.duplicate();
        NDArray y = b.duplicate();
        x.setRequiresGradient(true);
        y.setRequiresGradient(true);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray value = loss.evaluate(new NDList(), new NDList(x, y));
            collector.backward(value);
            return new double[][] {{value.getFloat()}, toDoubles(x.getGradient()), toDoubles(y.getGradient())};
        }
    }

    private static double[] toDoubles(NDArray array) {
        float[] f = array.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static Map<String, Object> chunked(String lossId, int chunk) {
        boolean hasChunk = Losses.info(lossId).parameters().stream().map(ParamSpec::name).anyMatch("chunk"::equals);
        return hasChunk ? Map.of("chunk", chunk) : Map.of();
    }

    private static Block mlp(int hidden, int out) {
        return new SequentialBlock()
                .add(Linear.builder().setUnits(hidden).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(out).build());
    }

    private static NDArray forward(Block block, ParameterStore store, NDArray x) {
        return block.forward(store, new NDList(x), true).singletonOrThrow();
    }

    /**
     * The 1-NN accuracy of queries against a labelled reference set, by cosine similarity of the
     * encoder's representations.
     */
    private static double nearestNeighbourAccuracy(Block encoder, ParameterStore store,
            TwoViewData.Labelled reference, TwoViewData.Labelled queries) {
        try (NDManager m = reference.views().getManager().newSubManager()) {
            NDArray r = unit(encoder.forward(store, new NDList(reference.views()), false).singletonOrThrow());
            NDArray q = unit(encoder.forward(store, new NDList(queries.views()), false).singletonOrThrow());
            r.attach(m);
            q.attach(m);
            long[] nearest = q.matMul(r.transpose()).argMax(1).toLongArray();
            int correct = 0;
            for (int i = 0; i < nearest.length; i++) {
                correct += reference.classes()[(int) nearest[i]] == queries.classes()[i] ? 1 : 0;
            }
            return correct / (double) nearest.length;
        }
    }

    private static NDArray unit(NDArray x) {
        return x.div(x.norm(new int[] {1}, true).add(1e-12));
    }

    /**
     * Runs the example.
     *
     * @param args {@code [--quick] [--loss ID] [--seed N]}
     */
    public static void main(String[] args) {
        ExampleArgs a = ExampleArgs.parse("contrastive.ContrastivePretraining", LOSSES, 3, args);
        String lossId = a.loss();
        long seed = a.seed();
        int steps = a.quick() ? 150 : 600;
        int batch = 128;
        System.out.printf("Contrastive pre-training with %s on generated two-view data (%d classes hidden in %d of %d"
                + " dimensions), batch %d (%d views), %d steps%n", lossId, CLASSES, TwoViewData.SIGNAL,
                TwoViewData.DIMENSIONS, batch, 2 * batch, steps);
        String agreement = "";
        boolean chunkingExact = true;
        if (!chunked(lossId, CHUNK).isEmpty()) {
            double[] d = chunkAgreement(lossId, batch);
            agreement = String.format("; chunked (%d rows) vs whole matrix: |dvalue| %.1e, max |dgrad| %.1e",
                    CHUNK, d[0], d[1]);
            System.out.println("  " + agreement.substring(2));
            chunkingExact = d[0] < 1e-4 && d[1] < 1e-5;
        }
        Result r = pretrain(lossId, steps, batch, seed);
        System.out.printf("  %s: %.4f -> %.4f%n", lossId, r.lossBefore(), r.lossAfter());
        ExampleResult.report(String.format("%s: 1-NN accuracy of the representation %.3f -> %.3f%s", lossId,
                r.accuracyBefore(), r.accuracyAfter(), agreement),
                r.accuracyAfter() > r.accuracyBefore() + 0.1 && chunkingExact,
                "pre-training raises nearest-neighbour accuracy and chunking leaves value and gradient unchanged");
    }
}

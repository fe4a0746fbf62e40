package io.github.lossforge.cli;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.listener.EvaluatorTrainingListener;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.Batchifier;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.Losses;
import io.github.lossforge.core.ParamSpec;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * {@code lossforge demo}: trains a small MLP with DJL on Gaussian blobs generated in-process,
 * using any classifier loss from the registry, printing its progress ({@link TrainingProgress}) and the
 * final test accuracy.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        description = "Train a small MLP on generated Gaussian blobs with a registered drop-in classifier loss.")
final class DemoCommand implements Callable<Integer> {

    /** More blobs than this crowd the circle the centres sit on (and make no sense for a demo). */
    private static final int MAX_CLASSES = 1000;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--loss", defaultValue = "comp-sum", description = "loss id (default: ${DEFAULT-VALUE})")
    private String lossId;

    @Option(names = "--param", description = "loss parameter k=v, repeatable (e.g. --param tau=1.5)")
    private List<String> params = List.of();

    @Option(names = "--epochs", defaultValue = "8", description = "training epochs, >= 1 (default: ${DEFAULT-VALUE})")
    private int epochs;

    @Option(names = "--classes", defaultValue = "4", description = "number of blobs, >= 2 (default: ${DEFAULT-VALUE})")
    private int classes;

    @Option(names = "--seed", defaultValue = "42", description = "data and initialisation seed (default: ${DEFAULT-VALUE})")
    private long seed;

    @Override
    public Integer call() {
        Validation.atLeast(spec, "--epochs", epochs, 1);
        Validation.atLeast(spec, "--classes", classes, 2);
        Validation.atMost(spec, "--classes", classes, MAX_CLASSES);
        LossInfo info = Losses.info(lossId);
        if (!info.classifierLoss()) {
            throw new IllegalArgumentException(notAClassifierLoss(info));
        }
        BaseLoss loss = info.create(parseParams(info));
        PrintWriter out = spec.commandLine().getOut();
        out.println(result(train(loss, out, TrainingProgress.forConsole(out))));
        out.flush();
        return 0;
    }

    /** Why {@code demo} cannot train with a loss, and where to see it in use instead. */
    static String notAClassifierLoss(LossInfo info) {
        return info.id() + " is not a drop-in classifier loss (predictions: " + String.join("; ", info.predictionSlots())
                + "), so demo cannot train with it; " + (info.example().isEmpty()
                        ? "'lossforge info " + info.id() + "' describes its inputs"
                        : "its example: " + info.example());
    }

    private Map<String, Object> parseParams(LossInfo info) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (String kv : params) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--param expects k=v, got '" + kv + "'");
            }
            String key = kv.substring(0, eq);
            ParamSpec p = info.parameters().stream().filter(s -> s.name().equals(key)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(lossId + ": unknown parameter '" + key
                            + "', valid parameters: " + info.parameters().stream().map(ParamSpec::name).toList()));
            values.put(key, p.acceptText(lossId, kv.substring(eq + 1)));
        }
        return values;
    }

    private static String result(double accuracy) {
        return String.format("test accuracy: %.3f", accuracy);
    }

    /**
     * Trains and returns the test accuracy.
     *
     * @param loss the loss
     * @param out where the heading goes
     * @param progress where the progress goes
     * @return the test accuracy in [0, 1]
     */
    double train(BaseLoss loss, PrintWriter out, TrainingProgress progress) {
        BlobData[] data = BlobData.trainAndTest(classes, 2, 800, 400, seed);
        BlobData train = data[0];
        int batchSize = 32;
        ai.djl.engine.Engine.getInstance().setRandomSeed((int) seed);
        out.printf("Training a 2-layer MLP on %d Gaussian blobs (%d train / %d test) with %s%n",
                classes, train.size, data[1].size, loss.id());
        try (Model model = Model.newInstance("lossforge-demo")) {
            model.setBlock(new SequentialBlock()
                    .add(Linear.builder().setUnits(32).build())
                    .add(Activation::relu)
                    .add(Linear.builder().setUnits(classes).build()));
            DefaultTrainingConfig config = new DefaultTrainingConfig(loss)
                    .optInitializer(new XavierInitializer(), ai.djl.nn.Parameter.Type.WEIGHT)
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.01f)).build())
                    .addTrainingListeners(new EvaluatorTrainingListener());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(batchSize, train.dimensions));
                trainer.notifyListeners(listener -> listener.onTrainingBegin(trainer));
                Random order = new Random(seed);
                int batches = (train.size + batchSize - 1) / batchSize;
                for (int epoch = 1; epoch <= epochs; epoch++) {
                    int[] perm = permutation(train.size, order);
                    progress.startEpoch(epoch, epochs, batches);
                    for (int b = 0; b < batches; b++) {
                        trainBatch(trainer, train, perm, b * batchSize, Math.min(train.size, (b + 1) * batchSize));
                        // the evaluator listener's running mean reuses the loss value computed for backward
                        progress.batchDone(b + 1, trainer.getLoss().getAccumulator(EvaluatorTrainingListener.TRAIN_EPOCH));
                    }
                    progress.endEpoch(trainer.getLoss().getAccumulator(EvaluatorTrainingListener.TRAIN_EPOCH));
                    trainer.notifyListeners(listener -> listener.onEpoch(trainer));
                }
                return accuracy(trainer, data[1]);
            }
        }
    }

    private static void trainBatch(Trainer trainer, BlobData set, int[] perm, int from, int to) {
        try (NDManager batchManager = trainer.getManager().newSubManager()) {
            NDList[] xy = slice(batchManager, set, perm, from, to);
            Batch batch = new Batch(batchManager, xy[0], xy[1], to - from, Batchifier.STACK, Batchifier.STACK, 0, 0);
            EasyTrain.trainBatch(trainer, batch);
            trainer.step();
        }
    }

    private static double accuracy(Trainer trainer, BlobData test) {
        try (NDManager m = trainer.getManager().newSubManager()) {
            int[] all = new int[test.size];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            NDList[] xy = slice(m, test, all, 0, test.size);
            NDArray predicted = trainer.evaluate(xy[0]).singletonOrThrow().argMax(1);
            return predicted.eq(xy[1].singletonOrThrow()).sum().getLong() / (double) test.size;
        }
    }

    private static NDList[] slice(NDManager m, BlobData set, int[] perm, int from, int to) {
        int n = to - from;
        float[] x = new float[n * set.dimensions];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            int src = perm[from + i];
            System.arraycopy(set.features, src * set.dimensions, x, i * set.dimensions, set.dimensions);
            y[i] = set.labels[src];
        }
        return new NDList[] {
            new NDList(m.create(x, new Shape(n, set.dimensions))),
            new NDList(m.create(y, new Shape(n)).toType(DataType.INT64, false))
        };
    }

    private static int[] permutation(int n, Random rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}

package io.github.lossforge.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import io.github.lossforge.core.testkit.TrainingTask;

import java.util.Random;

/**
 * Training tasks for the leak check of losses that take embeddings rather than class logits: an MLP
 * embeds Gaussian-blob points, either once per point (with class labels) or twice per point from
 * two noisy views (a shared encoder, SimCLR style).
 */
public final class EmbeddingTasks {

    private static final int HIDDEN = 16;

    /**
     * The blobs of the labelled task overlap: a batch whose classes are already separated gives
     * mined losses (multi-similarity, triplet) exactly 0, and DJL's trainer refuses a first step
     * whose gradients are all zero.
     */
    private static final double LABELLED_NOISE = 2.0;

    private EmbeddingTasks() {}

    /**
     * Labelled embeddings: predictions[0] (N, D) embeddings, labels[0] (N) int64 classes.
     *
     * @param features input features
     * @param classes classes
     * @param batchSize N
     * @param dim D
     * @return the task
     */
    public static TrainingTask labelledEmbeddings(int features, int classes, int batchSize, int dim) {
        return new TrainingTask() {
            private final double[][] means = blobMeans(features, classes);

            @Override
            public Block model() {
                return mlp(dim);
            }

            @Override
            public Shape inputShape() {
                return new Shape(batchSize, features);
            }

            @Override
            public NDList[] batch(NDManager manager, Random rng, int step) {
                float[] x = new float[batchSize * features];
                long[] y = new long[batchSize];
                for (int i = 0; i < batchSize; i++) {
                    y[i] = i % classes;
                    blobPoint(means[(int) y[i]], LABELLED_NOISE, rng, x, i);
                }
                NDArray data = manager.create(x, new Shape(batchSize, features));
                NDArray labels = manager.create(y, new Shape(batchSize)).toType(DataType.INT64, false);
                return new NDList[] {new NDList(data), new NDList(labels)};
            }
        };
    }

    /**
     * Two views: the input stacks two noisy copies of N points (2N, F), a shared MLP embeds them and
     * the output is split into predictions[0] view-1 (N, D) and predictions[1] view-2 (N, D);
     * labels[0] holds the instance ids 0..N−1 (int64).
     *
     * @param features input features
     * @param batchSize N
     * @param dim D
     * @return the task
     */
    public static TrainingTask twoViews(int features, int batchSize, int dim) {
        return new TrainingTask() {
            private final double[][] means = blobMeans(features, batchSize);

            @Override
            public Block model() {
                return new SequentialBlock()
                        .add(mlp(dim))
                        .add(new LambdaBlock(list -> {
                            NDArray z = list.singletonOrThrow();
                            long n = z.getShape().get(0) / 2;
                            return new NDList(z.get("0:" + n), z.get(n + ":"));
                        }));
            }

            @Override
            public Shape inputShape() {
                return new Shape(2L * batchSize, features);
            }

            @Override
            public NDList[] batch(NDManager manager, Random rng, int step) {
                float[] x = new float[2 * batchSize * features];
                for (int v = 0; v < 2; v++) {
                    for (int i = 0; i < batchSize; i++) {
                        for (int f = 0; f < features; f++) {
                            x[(v * batchSize + i) * features + f] =
                                    (float) (means[i][f] + 0.3 * rng.nextGaussian());
                        }
                    }
                }
                NDArray data = manager.create(x, new Shape(2L * batchSize, features));
                NDArray ids = manager.arange(0, batchSize).toType(DataType.INT64, false);
                return new NDList[] {new NDList(data), new NDList(ids)};
            }
        };
    }

    /**
     * Retrieval over classes: an MLP scores every class for a Gaussian-blob point, predictions[0]
     * (N, C); labels[0] is the (N, C) float32 positive mask: the point's class, plus its neighbouring
     * class for every third point (multi-label rows).
     *
     * @param features input features
     * @param classes C
     * @param batchSize N
     * @return the task
     */
    public static TrainingTask scoresWithPositiveMask(int features, int classes, int batchSize) {
        return classScores(features, classes, batchSize, false);
    }

    /**
     * Distillation over classes: an MLP (the student) scores every class, predictions[0] (N, C);
     * labels[0] holds teacher scores (N, C), the negative squared distance of the point to each
     * class mean, and labels[1] the (N, C) float32 positive mask of the point's class.
     *
     * @param features input features
     * @param classes C
     * @param batchSize N
     * @return the task
     */
    public static TrainingTask distillation(int features, int classes, int batchSize) {
        return classScores(features, classes, batchSize, true);
    }

    private static TrainingTask classScores(int features, int classes, int batchSize, boolean withTeacher) {
        return new TrainingTask() {
            private final double[][] means = blobMeans(features, classes);

            @Override
            public Block model() {
                return mlp(classes);
            }

            @Override
            public Shape inputShape() {
                return new Shape(batchSize, features);
            }

            @Override
            public NDList[] batch(NDManager manager, Random rng, int step) {
                float[] x = new float[batchSize * features];
                float[] teacher = new float[batchSize * classes];
                float[] mask = new float[batchSize * classes];
                for (int i = 0; i < batchSize; i++) {
                    int c = rng.nextInt(classes);
                    mask[i * classes + c] = 1;
                    if (!withTeacher && i % 3 == 0) {
                        mask[i * classes + (c + 1) % classes] = 1;
                    }
                    blobPoint(means[c], 0.5, rng, x, i);
                    for (int k = 0; k < classes; k++) {
                        double d = 0;
                        for (int f = 0; f < features; f++) {
                            d += (x[i * features + f] - means[k][f]) * (x[i * features + f] - means[k][f]);
                        }
                        teacher[i * classes + k] = (float) -d;
                    }
                }
                Shape scores = new Shape(batchSize, classes);
                NDList labels = withTeacher
                        ? new NDList(manager.create(teacher, scores), manager.create(mask, scores))
                        : new NDList(manager.create(mask, scores));
                return new NDList[] {new NDList(manager.create(x, new Shape(batchSize, features))), labels};
            }
        };
    }

    /** Writes point i of a batch: the blob mean plus N(0, noise²) noise per feature. */
    private static void blobPoint(double[] mean, double noise, Random rng, float[] x, int i) {
        for (int f = 0; f < mean.length; f++) {
            x[i * mean.length + f] = (float) (mean[f] + noise * rng.nextGaussian());
        }
    }

    private static Block mlp(int dim) {
        return new SequentialBlock()
                .add(Linear.builder().setUnits(HIDDEN).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(dim).build());
    }

    private static double[][] blobMeans(int features, int count) {
        Random r = new Random(7);
        double[][] m = new double[count][features];
        for (int c = 0; c < count; c++) {
            for (int f = 0; f < features; f++) {
                m[c][f] = 2 * r.nextGaussian();
            }
        }
        return m;
    }
}

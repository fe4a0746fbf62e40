package io.github.lossforge.contrastive.hyperbolic;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import io.github.lossforge.contrastive.EmbeddingTasks;
import io.github.lossforge.core.testkit.Generators;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.TrainingTask;

import java.util.Random;

/** Inputs and training tasks of the hyperbolic losses. */
final class HyperbolicSamples {

    private HyperbolicSamples() {}

    /** (rows, d) points of the ball of curvature −c: exp_0 of N(0, scale²) tangent vectors. */
    static HostTensor ballPoints(Random rng, double c, double scale, int rows, int d) {
        double[] u = Generators.normal(rng, scale, rows, d).data();
        double[] out = new double[rows * d];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(BallReference.expMap0(BallReference.row(u, d, i), c), 0, out, i * d, d);
        }
        return HostTensor.floats(out, rows, d);
    }

    /** Rows alternating between ±radius·(1 − 1e-5) along the first axis: pairs at the far ends of the ball. */
    static HostTensor nearBoundary(double c, int rows, int d) {
        double r = (1 - 1e-5) / Math.sqrt(c);
        double[] out = new double[rows * d];
        for (int i = 0; i < rows; i++) {
            out[i * d + (i / 2) % d] = i % 2 == 0 ? r : -r;
        }
        return HostTensor.floats(out, rows, d);
    }

    /**
     * Ball embeddings of labelled blobs through the library's blocks: an MLP, then {@link ToPoincare}
     * (clip 2, learnable base point, Riemannian gradient) for predictions[0] (N, d); with {@code mlr}
     * also a {@link HyperbolicMlr} head adding the offsets p and normals a (K, d) of {@code hyp-ce}.
     */
    static TrainingTask ballTask(double c, int classes, int batchSize, int dim, boolean mlr) {
        TrainingTask base = EmbeddingTasks.labelledEmbeddings(4, classes, batchSize, dim);
        return new TrainingTask() {
            @Override
            public Block model() {
                SequentialBlock model = new SequentialBlock().add(base.model())
                        .add(ToPoincare.builder().optCurvature(c).optClipRadius(2).optTrainBasePoint(true).build());
                return mlr ? model.add(new HyperbolicMlr(c, classes)) : model;
            }

            @Override
            public Shape inputShape() {
                return base.inputShape();
            }

            @Override
            public NDList[] batch(NDManager manager, Random rng, int step) {
                return base.batch(manager, rng, step);
            }
        };
    }
}

package io.github.lossforge.contrastive.hyperbolic;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import io.github.lossforge.contrastive.EmbeddingTasks;
import io.github.lossforge.contrastive.face.LearnableSlots;
import io.github.lossforge.core.testkit.Generators;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.TrainingTask;

import java.util.List;
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

    /** An MLP whose output is mapped onto the ball (exp_0, then projection). */
    static Block ballEncoder(TrainingTask base, PoincareBall ball) {
        return new SequentialBlock().add(base.model())
                .add(new LambdaBlock(list -> new NDList(ball.project(ball.expMap0(list.singletonOrThrow())))));
    }

    /**
     * Ball embeddings of labelled blobs: predictions[0] (N, d) on the ball; with {@code mlrClasses} &gt;
     * 0 also learnable MLR offsets p = proj(exp_0(p_raw)) and normals a = a_raw (1 − c‖p‖²), (K, d) each.
     */
    static TrainingTask ballTask(double c, int classes, int batchSize, int dim, boolean mlr) {
        TrainingTask base = EmbeddingTasks.labelledEmbeddings(4, classes, batchSize, dim);
        PoincareBall ball = new PoincareBall(c);
        return new TrainingTask() {
            @Override
            public Block model() {
                Block encoder = ballEncoder(base, ball);
                if (!mlr) {
                    return encoder;
                }
                Shape k = new Shape(classes, dim);
                return new SequentialBlock().add(encoder).add(new LearnableSlots(List.of(k, k), list -> {
                    NDArray p = ball.project(ball.expMap0(list.get(1)));
                    NDArray a = list.get(2).mul(p.square().sum(new int[] {1}, true).neg()
                            .mul(io.github.lossforge.core.Scalar.of(p, c)).add(1));
                    return new NDList(list.get(0), p, a);
                }));
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

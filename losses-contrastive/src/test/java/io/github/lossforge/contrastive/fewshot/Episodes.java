package io.github.lossforge.contrastive.fewshot;

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
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.Sample;
import io.github.lossforge.core.testkit.TrainingTask;

import java.util.List;
import java.util.Random;

/** Few-shot episodes for the tests: samples, plain-Java prototypes and distances, and a training task. */
final class Episodes {

    private Episodes() {}

    /**
     * A W-way S-shot episode with Q queries per class: support class-major (0,0,…,1,1,…), queries
     * class-cyclic (0,1,…,0,1,…); embeddings are a random class centre plus N(0, spread²) noise.
     */
    static Sample episode(Random rng, int way, int shot, int queries, int dim, double spread) {
        double[][] centres = new double[way][dim];
        for (double[] c : centres) {
            for (int j = 0; j < dim; j++) {
                c[j] = rng.nextGaussian();
            }
        }
        long[] ys = new long[way * shot];
        double[] s = new double[way * shot * dim];
        for (int i = 0; i < ys.length; i++) {
            ys[i] = i / shot;
            for (int j = 0; j < dim; j++) {
                s[i * dim + j] = centres[(int) ys[i]][j] + spread * rng.nextGaussian();
            }
        }
        long[] yq = new long[way * queries];
        double[] q = new double[way * queries * dim];
        for (int i = 0; i < yq.length; i++) {
            yq[i] = i % way;
            for (int j = 0; j < dim; j++) {
                q[i * dim + j] = centres[(int) yq[i]][j] + spread * rng.nextGaussian();
            }
        }
        return new Sample(List.of(HostTensor.longs(ys, ys.length), HostTensor.longs(yq, yq.length)),
                List.of(HostTensor.floats(s, ys.length, dim), HostTensor.floats(q, yq.length, dim)));
    }

    static double[][] rows(HostTensor t) {
        int n = t.dim(0);
        int d = t.dim(1);
        double[][] out = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                out[i][j] = t.at(i * d + j);
            }
        }
        return out;
    }

    static int[] labels(HostTensor t) {
        int[] out = new int[t.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = t.index(i);
        }
        return out;
    }

    /** Mean support embedding per class 0..W−1. */
    static double[][] prototypes(Sample s) {
        double[][] x = rows(s.prediction(0));
        int[] y = labels(s.label(0));
        int way = 0;
        for (int v : y) {
            way = Math.max(way, v + 1);
        }
        double[][] c = new double[way][x[0].length];
        int[] counts = new int[way];
        for (int i = 0; i < x.length; i++) {
            counts[y[i]]++;
            for (int j = 0; j < x[i].length; j++) {
                c[y[i]][j] += x[i][j];
            }
        }
        for (int k = 0; k < way; k++) {
            for (int j = 0; j < c[k].length; j++) {
                c[k][j] /= counts[k];
            }
        }
        return c;
    }

    /** √(‖a − b‖² + 1e-6) by explicit differences. */
    static double distance(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            s += (a[j] - b[j]) * (a[j] - b[j]);
        }
        return Math.sqrt(s + 1e-6);
    }

    /**
     * An MLP embeds the stacked support and query points (N_s + N_q, F); the output is split into
     * predictions[0] support (N_s, D) and predictions[1] query (N_q, D); labels are the two class
     * vectors of a W-way S-shot Q-query episode of Gaussian blobs (new centres every episode).
     */
    static TrainingTask task(int way, int shot, int queries, int features, int dim) {
        int ns = way * shot;
        int nq = way * queries;
        return new TrainingTask() {
            @Override
            public Block model() {
                return new SequentialBlock()
                        .add(Linear.builder().setUnits(16).build())
                        .add(Activation::relu)
                        .add(Linear.builder().setUnits(dim).build())
                        .add(new LambdaBlock(list -> {
                            NDArray z = list.singletonOrThrow();
                            return new NDList(z.get("0:" + ns), z.get(ns + ":"));
                        }));
            }

            @Override
            public Shape inputShape() {
                return new Shape(ns + nq, features);
            }

            @Override
            public NDList[] batch(NDManager manager, Random rng, int step) {
                // Heavily overlapping classes: a batch in which every query already clears the
                // proto-triplet margin gives all-zero gradients, which DJL's trainer refuses.
                Sample e = episode(rng, way, shot, queries, features, 3.0);
                double[] x = new double[(ns + nq) * features];
                System.arraycopy(e.prediction(0).data(), 0, x, 0, ns * features);
                System.arraycopy(e.prediction(1).data(), 0, x, ns * features, nq * features);
                NDArray data = manager.create(x, new Shape(ns + nq, features)).toType(DataType.FLOAT32, false);
                return new NDList[] {new NDList(data), new NDList(e.label(0).toNDArray(manager, DataType.FLOAT32),
                        e.label(1).toNDArray(manager, DataType.FLOAT32))};
            }
        };
    }
}

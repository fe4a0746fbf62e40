package io.github.lossforge.contrastive.mixup;

import static io.github.lossforge.contrastive.PairReferences.distance;
import static io.github.lossforge.contrastive.PairReferences.dot;
import static io.github.lossforge.contrastive.PairReferences.rows;

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
import io.github.lossforge.core.testkit.Generators;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.LossContract.BadInput;
import io.github.lossforge.core.testkit.Reference;
import io.github.lossforge.core.testkit.Sample;
import io.github.lossforge.core.testkit.TrainingTask;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** References, samples, bad inputs and the leak-check task of the Metrix tests. */
final class MetrixFixtures {

    /** N, M, D, classes. */
    static final int[][] SHAPES = {{1, 2, 3, 2}, {6, 5, 4, 2}, {9, 7, 5, 3}};

    private MetrixFixtures() {}

    /** Soft label of mixed example j with respect to class c, from the label slots. */
    static double soft(Sample s, int j, int c) {
        double l = s.label(3).at(j);
        int ya = s.label(0).index(s.label(1).index(j));
        int yb = s.label(0).index(s.label(2).index(j));
        return l * (ya == c ? 1 : 0) + (1 - l) * (yb == c ? 1 : 0);
    }

    /** log(1 + Σ w e^z) over the entries with w &gt; 0, directly in double. */
    static double logOnePlusWeighted(double[] z, double[] w) {
        double sum = 1;
        for (int k = 0; k < z.length; k++) {
            if (w[k] > 0) {
                sum += w[k] * Math.exp(z[k]);
            }
        }
        return Math.log(sum);
    }

    /**
     * Contrastive (margin) or multi-similarity (alpha, beta, base) per clean anchor: explicit loops
     * over (anchor, clean other) pairs with hard labels and (anchor, mixed) pairs with soft labels.
     */
    static Reference anchorReference(boolean contrastive, double w, double margin, double alpha, double beta,
            double base) {
        return s -> {
            double[][] x = rows(s.prediction(0), true);
            double[][] xm = rows(s.prediction(1), true);
            int n = x.length;
            int m = xm.length;
            double[] out = new double[n];
            for (int a = 0; a < n; a++) {
                int ya = s.label(0).index(a);
                double[] cleanY = new double[n];
                double[] cleanNeg = new double[n];
                for (int k = 0; k < n; k++) {
                    boolean same = s.label(0).index(k) == ya;
                    cleanY[k] = k != a && same ? 1 : 0;
                    cleanNeg[k] = same ? 0 : 1;
                }
                double[] mixedY = new double[m];
                double[] mixedNeg = new double[m];
                for (int j = 0; j < m; j++) {
                    mixedY[j] = soft(s, j, ya);
                    mixedNeg[j] = 1 - mixedY[j];
                }
                out[a] = term(contrastive, x[a], x, cleanY, cleanNeg, margin, alpha, beta, base)
                        + w * term(contrastive, x[a], xm, mixedY, mixedNeg, margin, alpha, beta, base);
            }
            return out;
        };
    }

    private static double term(boolean contrastive, double[] anchor, double[][] e, double[] y, double[] neg,
            double margin, double alpha, double beta, double base) {
        if (contrastive) {
            double v = 0;
            for (int k = 0; k < e.length; k++) {
                double d = distance(anchor, e[k]);
                v += y[k] * d + neg[k] * Math.max(0, margin - d);
            }
            return v;
        }
        double[] pz = new double[e.length];
        double[] nz = new double[e.length];
        for (int k = 0; k < e.length; k++) {
            double sim = dot(anchor, e[k]);
            pz[k] = -alpha * (sim - base);
            nz[k] = beta * (sim - base);
        }
        return logOnePlusWeighted(pz, y) / alpha + logOnePlusWeighted(nz, neg) / beta;
    }

    /** Proxy-anchor over clean (hard labels) plus w times mixed (soft labels) examples. */
    static Reference proxyAnchorReference(double w, double alpha, double delta) {
        return s -> {
            double[][] x = rows(s.prediction(0), true);
            double[][] xm = rows(s.prediction(1), true);
            double[][] p = rows(s.prediction(2), true);
            int c = p.length;
            double[][] cleanY = new double[c][x.length];
            double[][] mixedY = new double[c][xm.length];
            for (int k = 0; k < c; k++) {
                for (int i = 0; i < x.length; i++) {
                    cleanY[k][i] = s.label(0).index(i) == k ? 1 : 0;
                }
                for (int j = 0; j < xm.length; j++) {
                    mixedY[k][j] = soft(s, j, k);
                }
            }
            return new double[] {proxyTerm(p, x, cleanY, alpha, delta) + w * proxyTerm(p, xm, mixedY, alpha, delta)};
        };
    }

    private static double proxyTerm(double[][] p, double[][] e, double[][] y, double alpha, double delta) {
        double positive = 0;
        int withPositives = 0;
        double negative = 0;
        for (int c = 0; c < p.length; c++) {
            double[] pz = new double[e.length];
            double[] nz = new double[e.length];
            double[] neg = new double[e.length];
            double mass = 0;
            for (int k = 0; k < e.length; k++) {
                double sim = dot(p[c], e[k]);
                pz[k] = -alpha * (sim - delta);
                nz[k] = alpha * (sim + delta);
                neg[k] = 1 - y[c][k];
                mass += y[c][k];
            }
            if (mass > 0) {
                withPositives++;
                positive += logOnePlusWeighted(pz, y[c]);
            }
            negative += logOnePlusWeighted(nz, neg);
        }
        return positive / Math.max(withPositives, 1) + negative / p.length;
    }

    /**
     * Clean and mixed embeddings with classes, random partners and weights (one weight exactly 1 and
     * one exactly 0 when M ≥ 2); proxies (C, D) appended when asked.
     */
    static Sample sample(int shape, Random rng, boolean proxies) {
        int n = SHAPES[shape][0];
        int m = SHAPES[shape][1];
        int d = SHAPES[shape][2];
        int c = SHAPES[shape][3];
        HostTensor classes = Generators.classes(rng, c, n);
        long[] a = new long[m];
        long[] b = new long[m];
        double[] lambda = new double[m];
        for (int j = 0; j < m; j++) {
            a[j] = rng.nextInt(n);
            b[j] = rng.nextInt(n);
            lambda[j] = j == 0 ? 1 : j == 1 ? 0 : rng.nextDouble();
        }
        List<HostTensor> labels = List.of(classes, HostTensor.longs(a, m), HostTensor.longs(b, m),
                HostTensor.floats(lambda, m));
        List<HostTensor> predictions = new ArrayList<>(List.of(Generators.normal(rng, 1, n, d),
                Generators.normal(rng, 1, m, d)));
        if (proxies) {
            predictions.add(Generators.normal(rng, 1, c, d));
        }
        return new Sample(labels, predictions);
    }

    /** The bad inputs shared by all bases (proxies appended for proxy-anchor). */
    static List<BadInput> badInputs(Random rng, boolean proxies) {
        Sample ok = sample(1, rng, proxies);
        HostTensor lambda = ok.label(3);
        double[] tooBig = lambda.data().clone();
        tooBig[2] = 1.5;
        long[] outside = new long[ok.label(1).size()];
        outside[0] = 6;
        List<BadInput> bad = new ArrayList<>(List.of(
                new BadInput("rank-3 clean embeddings", ok.withPrediction(0, ok.prediction(0).reshape(6, 4, 1)),
                        "predictions[0] (clean embeddings)", "(N, D)"),
                new BadInput("mixed dimension mismatch", ok.withPrediction(1, ok.prediction(1).reshape(10, 2)),
                        "predictions[1] (mixed embeddings)", "(10, 2)", "4"),
                new BadInput("partner index outside the clean batch", ok.withLabel(1, HostTensor.longs(outside,
                        outside.length)), "labels[1] (partner A)", "6"),
                new BadInput("floating partner B", ok.withLabel(2, ok.label(2).withType(DataType.FLOAT32)),
                        "labels[2] (partner B)", "int"),
                new BadInput("mix weight above 1", ok.withLabel(3, lambda.withData(tooBig)),
                        "labels[3] (mix weight)", "1.5", "[0, 1]"),
                new BadInput("mix weight batch mismatch", ok.withLabel(3, lambda.firstRows(3)),
                        "labels[3] (mix weight)", "(3)", "5"),
                new BadInput("classes batch mismatch", ok.withLabel(0, ok.label(0).firstRows(4)),
                        "labels[0] (classes)", "(4)", "6"),
                new BadInput("missing mix weight", new Sample(ok.labels().subList(0, 3), ok.predictions()),
                        "labels")));
        if (proxies) {
            bad.add(new BadInput("missing proxies", new Sample(ok.labels(), ok.predictions().subList(0, 2)),
                    "predictions"));
            bad.add(new BadInput("class without a proxy", ok.withPrediction(2, ok.prediction(2).firstRows(1)),
                    "labels[0] (classes)", "[0, 1)"));
        } else {
            List<HostTensor> extra = new ArrayList<>(ok.predictions());
            extra.add(ok.prediction(0));
            bad.add(new BadInput("extra prediction slot", new Sample(ok.labels(), extra), "predictions"));
        }
        return bad;
    }

    /**
     * Input-mode Metrix for the leak check: each batch stacks N blob points, M input-space mixes of
     * them ({@link Mixup}) and, with proxies, the C class means; one MLP embeds all rows and the
     * output is split into clean (N, D), mixed (M, D) [and proxies (C, D)].
     */
    static TrainingTask inputMixing(boolean proxies) {
        int features = 4;
        int classes = 3;
        int n = 18;
        int m = 12;
        int rowsTotal = n + m + (proxies ? classes : 0);
        double[][] means = new double[classes][features];
        Random meansRng = new Random(7);
        for (double[] mean : means) {
            for (int f = 0; f < features; f++) {
                mean[f] = 2 * meansRng.nextGaussian();
            }
        }
        return new TrainingTask() {
            @Override
            public Block model() {
                return new SequentialBlock()
                        .add(Linear.builder().setUnits(16).build())
                        .add(Activation::relu)
                        .add(Linear.builder().setUnits(5).build())
                        .add(new LambdaBlock(list -> {
                            NDArray z = list.singletonOrThrow();
                            NDList out = new NDList(z.get("0:" + n), z.get(n + ":" + (n + m)));
                            if (proxies) {
                                out.add(z.get((n + m) + ":"));
                            }
                            return out;
                        }));
            }

            @Override
            public Shape inputShape() {
                return new Shape(rowsTotal, features);
            }

            @Override
            public NDList[] batch(NDManager manager, Random rng, int step) {
                float[] x = new float[n * features];
                long[] y = new long[n];
                for (int i = 0; i < n; i++) {
                    y[i] = i % classes;
                    for (int f = 0; f < features; f++) {
                        x[i * features + f] = (float) (means[(int) y[i]][f] + 2.0 * rng.nextGaussian());
                    }
                }
                NDArray clean = manager.create(x, new Shape(n, features));
                Mixup.Pairs pairs = Mixup.pairs(rng, n, m, Mixup.DEFAULT_ALPHA);
                NDList parts = new NDList(clean, Mixup.mix(clean, pairs));
                if (proxies) {
                    float[] centres = new float[classes * features];
                    for (int k = 0; k < classes; k++) {
                        for (int f = 0; f < features; f++) {
                            centres[k * features + f] = (float) means[k][f];
                        }
                    }
                    parts.add(manager.create(centres, new Shape(classes, features)));
                }
                NDArray data = ai.djl.ndarray.NDArrays.concat(parts, 0);
                NDArray labels = manager.create(y, new Shape(n)).toType(DataType.INT64, false);
                return new NDList[] {new NDList(data), pairs.labels(labels, DataType.FLOAT32)};
            }
        };
    }
}

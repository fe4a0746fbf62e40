package io.github.lossforge.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.testkit.Close;
import io.github.lossforge.core.testkit.Evaluation;
import io.github.lossforge.core.testkit.Generators;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.LossContract;
import io.github.lossforge.core.testkit.Reference;
import io.github.lossforge.core.testkit.Sample;
import io.github.lossforge.core.testkit.TrainingTask;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

class AttendExciteLossTest extends LossContract {

    /**
     * L = max_s max(0, 1 − max_ij (G * softmax(c·A[..., 1:]))_s), with explicit loops: the softmax over
     * tokens 1..T−1 per pixel, a 2-D kernel exp(−((y−μ)/(2σ))²)·exp(−((x−μ)/(2σ))²) normalised over
     * its k² entries, reflect padding, the maximum over pixels, the worst token.
     */
    static Reference reference(double scale, int kernel, double sigma) {
        return s -> {
            HostTensor a = s.prediction(0);
            HostTensor idx = s.label(0);
            long[] shape = a.shape();
            int t = (int) shape[shape.length - 1];
            int n = shape.length == 4 ? (int) shape[0] : 1;
            int h;
            int w;
            if (shape.length == 2) {
                h = (int) Math.round(Math.sqrt(shape[0]));
                w = h;
            } else {
                h = (int) shape[shape.length - 3];
                w = (int) shape[shape.length - 2];
            }
            int k = idx.dim(idx.shape().length - 1);
            boolean perImage = idx.shape().length == 2;
            double[][] g = kernel2d(kernel, sigma);
            int pad = kernel / 2;
            double[] out = new double[n];
            for (int img = 0; img < n; img++) {
                double[][][] prob = new double[h][w][t];
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int base = ((img * h + y) * w + x) * t;
                        double max = Double.NEGATIVE_INFINITY;
                        for (int j = 1; j < t; j++) {
                            max = Math.max(max, scale * a.at(base + j));
                        }
                        double z = 0;
                        for (int j = 1; j < t; j++) {
                            z += Math.exp(scale * a.at(base + j) - max);
                        }
                        for (int j = 1; j < t; j++) {
                            prob[y][x][j] = Math.exp(scale * a.at(base + j) - max) / z;
                        }
                    }
                }
                double worst = 0;
                for (int j = 0; j < k; j++) {
                    int token = idx.index(perImage ? img * k + j : j);
                    double best = Double.NEGATIVE_INFINITY;
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            double v = 0;
                            for (int dy = -pad; dy <= pad; dy++) {
                                for (int dx = -pad; dx <= pad; dx++) {
                                    v += g[dy + pad][dx + pad] * prob[reflect(y + dy, h)][reflect(x + dx, w)][token];
                                }
                            }
                            best = Math.max(best, v);
                        }
                    }
                    worst = Math.max(worst, Math.max(0, 1 - best));
                }
                out[img] = worst;
            }
            return out;
        };
    }

    private static int reflect(int i, int n) {
        return i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
    }

    private static double[][] kernel2d(int size, double sigma) {
        double[][] g = new double[size][size];
        double mean = (size - 1) / 2.0;
        double total = 0;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double zy = (y - mean) / (2 * sigma);
                double zx = (x - mean) / (2 * sigma);
                g[y][x] = Math.exp(-zy * zy) * Math.exp(-zx * zx);
                total += g[y][x];
            }
        }
        for (double[] row : g) {
            for (int x = 0; x < size; x++) {
                row[x] /= total;
            }
        }
        return g;
    }

    private static Variant variant(double scale, int kernel, double sigma) {
        return new Variant("scale=" + scale + ", kernel=" + kernel + ", sigma=" + sigma,
                r -> AttendExciteLoss.builder().optSoftmaxScale(scale).optSmoothKernel(kernel)
                        .optSmoothSigma(sigma).optReduction(r).build(),
                reference(scale, kernel, sigma));
    }

    @Override
    protected List<Variant> variants() {
        return List.of(variant(100, 3, 0.5), variant(10, 5, 1.0), variant(30, 1, 0.5));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        switch (shape) {
            case 0:
                return new Sample(List.of(HostTensor.longs(new long[] {1, 3}, 2)),
                        List.of(Generators.uniform(rng, 0, 0.05, 16, 5)));
            case 1:
                return new Sample(List.of(HostTensor.longs(new long[] {2, 5, 1}, 3)),
                        List.of(Generators.uniform(rng, 0, 0.05, 4, 3, 6)));
            default:
                return new Sample(List.of(HostTensor.longs(new long[] {1, 4, 2, 3}, 2, 2)),
                        List.of(Generators.uniform(rng, 0, 0.05, 2, 5, 4, 5)));
        }
    }

    @Override
    protected TrainingTask trainingTask() {
        return AttentionTask.tokenAttention(AttentionTask.tokenIndices(2));
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> AttendExciteLoss.builder().build()),
                new RegistryCase(Map.of("softmaxScale", 20, "smoothKernel", 5.0, "smoothSigma", 1L, "reduction", "sum"),
                        () -> AttendExciteLoss.builder().optSoftmaxScale(20).optSmoothKernel(5).optSmoothSigma(1)
                                .optReduction(Reduction.SUM).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        List<BadInput> cases = new ArrayList<>();
        HostTensor tokens = HostTensor.longs(new long[] {1, 2}, 2);
        cases.add(new BadInput("rank 1 attention", new Sample(List.of(tokens), List.of(Generators.uniform(rng, 0, 1, 5))),
                "predictions[0]", "(H·W, T), (H, W, T) or (N, H, W, T)"));
        cases.add(new BadInput("a non-square (H·W, T) map",
                new Sample(List.of(tokens), List.of(Generators.uniform(rng, 0, 1, 12, 4))),
                "predictions[0]", "12 positions", "square"));
        cases.add(new BadInput("a token index out of range",
                new Sample(List.of(HostTensor.longs(new long[] {1, 4}, 2)), List.of(Generators.uniform(rng, 0, 1, 3, 3, 4))),
                "labels[0]", "4", "[0, 4)"));
        cases.add(new BadInput("the start token",
                new Sample(List.of(HostTensor.longs(new long[] {0, 2}, 2)), List.of(Generators.uniform(rng, 0, 1, 3, 3, 4))),
                "labels[0]", "start token", "[1, 4)"));
        cases.add(new BadInput("float token indices",
                new Sample(List.of(Generators.uniform(rng, 1, 2, 2)), List.of(Generators.uniform(rng, 0, 1, 3, 3, 4))),
                "labels[0]", "integer"));
        cases.add(new BadInput("per-image indices for a single image",
                new Sample(List.of(HostTensor.longs(new long[] {1, 2}, 1, 2)), List.of(Generators.uniform(rng, 0, 1, 3, 3, 4))),
                "labels[0]", "(1, 2)"));
        cases.add(new BadInput("per-image indices of another batch",
                new Sample(List.of(HostTensor.longs(new long[] {1, 2, 1, 2, 1, 2}, 3, 2)),
                        List.of(Generators.uniform(rng, 0, 1, 2, 3, 3, 4))),
                "labels[0]", "(3, 2)", "(2, K)"));
        cases.add(new BadInput("maps too small for the padding",
                new Sample(List.of(tokens), List.of(Generators.uniform(rng, 0, 1, 1, 5, 4))),
                "predictions[0]", "1×5", "> 1"));
        cases.add(new BadInput("only the start token",
                new Sample(List.of(HostTensor.longs(new long[] {0}, 1)), List.of(Generators.uniform(rng, 0, 1, 3, 3, 1))),
                "predictions[0]", "at least 2 tokens"));
        return cases;
    }

    private static Evaluation evaluate(AttendExciteLoss loss, Sample s) {
        return Evaluation.of(loss, s, DataType.FLOAT64);
    }

    @Test
    void officialKernelHasWeights0449And1221And3319() {
        double[] g = AttendExciteLoss.smoothingWeights(3, 0.5);
        Close.assertClose("corner, edge, centre", new double[] {g[0] * g[0], g[0] * g[1], g[1] * g[1]},
                new double[] {0.0449, 0.1221, 0.3319}, 2e-3);
    }

    @Test
    void tokenThatOwnsEveryPixelHasNoLoss() {
        double[] a = new double[4 * 4 * 3];
        for (int q = 0; q < 16; q++) {
            a[q * 3 + 1] = 1;
        }
        Sample s = new Sample(List.of(HostTensor.longs(new long[] {1}, 1)), List.of(HostTensor.floats(a, 4, 4, 3)));
        Evaluation e = evaluate(AttendExciteLoss.builder().build(), s);
        assertThat(e.value()[0]).isBetween(0.0, 1e-15);
        for (double g : e.gradient(0)) {
            assertThat(Math.abs(g)).isLessThan(1e-30);
        }
    }

    @Test
    void startTokenDoesNotTakePartInTheSoftmax() {
        Sample s = sample(1, new Random(3));
        double[] raised = s.prediction(0).data();
        for (int i = 0; i < raised.length; i += 6) {
            raised[i] += 50;
        }
        AttendExciteLoss loss = AttendExciteLoss.builder().build();
        assertThat(evaluate(loss, s.withPrediction(0, s.prediction(0).withData(raised))).value())
                .containsExactly(evaluate(loss, s).value());
    }

    @Test
    void gradientReachesOnlyTheWorstTokensArgmaxNeighbourhood() {
        Random rng = new Random(4);
        Sample s = new Sample(List.of(HostTensor.longs(new long[] {1, 2}, 2)),
                List.of(Generators.uniform(rng, 0, 0.05, 6, 6, 4)));
        double[] g = evaluate(AttendExciteLoss.builder().build(), s).gradient(0);
        List<Integer> pixels = new ArrayList<>();
        for (int q = 0; q < 36; q++) {
            boolean any = false;
            for (int t = 0; t < 4; t++) {
                any |= g[q * 4 + t] != 0;
            }
            assertThat(g[q * 4]).as("start token gradient").isZero();
            if (any) {
                pixels.add(q);
            }
        }
        assertThat(pixels).as("pixels receiving gradient").isNotEmpty().hasSizeLessThanOrEqualTo(9);
        int y0 = pixels.get(0) / 6;
        int x0 = pixels.get(0) % 6;
        for (int q : pixels) {
            assertThat(Math.abs(q / 6 - y0)).isLessThanOrEqualTo(2);
            assertThat(Math.abs(q % 6 - x0)).isLessThanOrEqualTo(2);
        }
    }

    @Test
    void sharedIndicesEqualPerImageIndices() {
        Sample s = sample(2, new Random(5));
        Sample shared = s.withLabel(0, HostTensor.longs(new long[] {2, 4}, 2));
        Sample perImage = s.withLabel(0, HostTensor.longs(new long[] {2, 4, 2, 4}, 2, 2));
        AttendExciteLoss loss = AttendExciteLoss.builder().optReduction(Reduction.NONE).build();
        assertThat(evaluate(loss, shared).value()).containsExactly(evaluate(loss, perImage).value());
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> AttendExciteLoss.builder().optSmoothKernel(4).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("attend-excite")
                .hasMessageContaining("smoothKernel");
        assertThatThrownBy(() -> AttendExciteLoss.builder().optSmoothSigma(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("smoothSigma");
        assertThatThrownBy(() -> AttendExciteLoss.builder().optSoftmaxScale(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("softmaxScale");
    }
}

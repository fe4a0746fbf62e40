package io.github.lossforge.segmentation.pansharpening;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.Sample;
import io.github.lossforge.core.testkit.TrainingTask;
import io.github.lossforge.segmentation.DenseTask;

import java.util.List;
import java.util.Random;

/** Generated pansharpening inputs and the training task of the λ-PNN tests. */
final class PansharpeningSamples {

    /**
     * The smallest accepted |x − θ| of a sample used for finite differences: the structural term is
     * discontinuous where x = θ, and a stencil step (2·1e-4 on an input, moving x by about as much)
     * that crosses it would compare a jump with a derivative.
     */
    static final double MIN_THRESHOLD_GAP = 2e-3;

    private PansharpeningSamples() {}

    /**
     * Random images in [0.1, 1] (data divided by 2048, as the official): PAN rough noise, the fused
     * bands partly correlated with it, MS the ratio×ratio block means of another such image and MS_up
     * its nearest-neighbour upsampling.
     *
     * @param rng the generator
     * @param n the batch
     * @param bands B
     * @param h PAN height
     * @param w PAN width
     * @param ratio the resolution ratio
     * @return labels (PAN, MS, MS_up) and the fused prediction
     */
    static Sample random(Random rng, int n, int bands, int h, int w, int ratio) {
        double[] pan = new double[n * h * w];
        double[] fused = new double[n * bands * h * w];
        double[] sharp = new double[n * bands * h * w];
        for (int k = 0; k < pan.length; k++) {
            pan[k] = 0.2 + 0.7 * rng.nextDouble();
        }
        for (int s = 0; s < n; s++) {
            for (int b = 0; b < bands; b++) {
                double mix = 0.3 + 0.4 * rng.nextDouble();
                for (int p = 0; p < h * w; p++) {
                    int k = (s * bands + b) * h * w + p;
                    fused[k] = 0.1 + mix * pan[s * h * w + p] + 0.4 * rng.nextDouble();
                    sharp[k] = 0.1 + 0.6 * pan[s * h * w + p] + 0.3 * rng.nextDouble();
                }
            }
        }
        int mh = h / ratio;
        int mw = w / ratio;
        double[] ms = new double[n * bands * mh * mw];
        double[] msUp = new double[n * bands * h * w];
        for (int c = 0; c < n * bands; c++) {
            for (int y = 0; y < mh; y++) {
                for (int x = 0; x < mw; x++) {
                    double acc = 0;
                    for (int u = 0; u < ratio; u++) {
                        for (int v = 0; v < ratio; v++) {
                            acc += sharp[c * h * w + (y * ratio + u) * w + x * ratio + v];
                        }
                    }
                    ms[c * mh * mw + y * mw + x] = acc / (ratio * ratio);
                }
            }
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    msUp[c * h * w + i * w + j] = ms[c * mh * mw + (i / ratio) * mw + j / ratio];
                }
            }
        }
        return new Sample(
                List.of(HostTensor.floats(pan, n, 1, h, w), HostTensor.floats(ms, n, bands, mh, mw),
                        HostTensor.floats(msUp, n, bands, h, w)),
                List.of(HostTensor.floats(fused, n, bands, h, w)));
    }

    /**
     * A random sample whose structural term is at least {@link #MIN_THRESHOLD_GAP} away from its
     * threshold everywhere under every given reference (their MTF kernels, hence their threshold
     * maps, may differ), so finite differences never cross the discontinuity.
     *
     * @param rng the generator
     * @param references the references (they know the MTF kernels and the ratio)
     * @param n the batch
     * @param bands B
     * @param h PAN height
     * @param w PAN width
     * @param ratio the resolution ratio
     * @return the sample
     */
    static Sample awayFromThreshold(Random rng, List<LambdaPnnReference> references, int n, int bands, int h, int w,
            int ratio) {
        for (int attempt = 0; attempt < 500; attempt++) {
            Sample s = random(rng, n, bands, h, w, ratio);
            if (references.stream().allMatch(r -> r.thresholdGap(s) >= MIN_THRESHOLD_GAP)) {
                return s;
            }
        }
        throw new IllegalStateException("no sample away from the threshold in 500 attempts");
    }

    /**
     * The leak-check task: a small conv net with a sigmoid maps (2, 2, 24, 24) noise to 2 bands; PAN,
     * MS and MS_up are smooth functions of the noise.
     *
     * @return the task
     */
    static TrainingTask task() {
        int side = 24;
        int ratio = 4;
        return new DenseTask(2, 2, side, side, true, (manager, x, rng) -> {
            int n = x.length;
            int m = side / ratio;
            float[] pan = new float[n * side * side];
            float[] ms = new float[n * 2 * m * m];
            float[] msUp = new float[n * 2 * side * side];
            for (int s = 0; s < n; s++) {
                for (int i = 0; i < side; i++) {
                    for (int j = 0; j < side; j++) {
                        pan[(s * side + i) * side + j] = (float) (0.5 + 0.3 * Math.tanh(x[s][0][i][j]));
                    }
                }
                for (int b = 0; b < 2; b++) {
                    for (int y = 0; y < m; y++) {
                        for (int v = 0; v < m; v++) {
                            double acc = 0;
                            for (int u = 0; u < ratio; u++) {
                                for (int t = 0; t < ratio; t++) {
                                    acc += 0.5 + 0.3 * Math.tanh(x[s][0][y * ratio + u][v * ratio + t]
                                            + (b == 0 ? 0.5 : -0.5) * x[s][1][y * ratio + u][v * ratio + t]);
                                }
                            }
                            ms[((s * 2 + b) * m + y) * m + v] = (float) (acc / (ratio * ratio));
                        }
                    }
                    for (int i = 0; i < side; i++) {
                        for (int j = 0; j < side; j++) {
                            msUp[((s * 2 + b) * side + i) * side + j] = ms[((s * 2 + b) * m + i / ratio) * m + j / ratio];
                        }
                    }
                }
            }
            return new NDList(manager.create(pan, new Shape(n, 1, side, side)),
                    manager.create(ms, new Shape(n, 2, m, m)), manager.create(msUp, new Shape(n, 2, side, side)));
        });
    }
}

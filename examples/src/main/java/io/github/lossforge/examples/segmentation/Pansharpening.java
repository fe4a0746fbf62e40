package io.github.lossforge.examples.segmentation;

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
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Losses;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.examples.support.AdamUpdater;
import io.github.lossforge.examples.support.ExampleArgs;
import io.github.lossforge.examples.support.ExampleResult;

import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Unsupervised pansharpening with {@code pansharpening} (λ-PNN) on generated PAN/MS pairs: each scene is
 * a {@value #SIDE}×{@value #SIDE} map of rectangles of 4-band materials (the ground truth, never shown
 * to the loss); the panchromatic image PAN is the band mean at full resolution, the multispectral image
 * MS the truth blurred with the loss's own Gaussian MTF model ({@code mtf = gaussian}) and
 * decimated by 4, MS↑ its nearest-neighbour
 * upsampling. A 3-layer convolutional network reads (MS↑, PAN) and adds a residual to MS↑; it is trained
 * with the λ-PNN loss alone (sensor GE1, 4 bands), which sees only PAN, MS and MS↑.
 *
 * <p>Prints, on held-out scenes before and after training, the correlation of the detail the network
 * adds (fused − MS↑) with the detail MS↑ lacks (truth − MS↑), which the loss's spatial term drives up
 * (the run fails unless it rises by 0.2), and the RMSE against the hidden truth next to that of MS↑
 * alone. The RMSE is reported, not claimed: the loss never sees the truth, and the full run
 * over-sharpens (its RMSE ends above MS↑'s although the detail correlation keeps rising).
 *
 * <p>Run: {@code examples/run-examples.sh segmentation.Pansharpening [--quick] [--loss ID]}.
 */
public final class Pansharpening {

    /** The pansharpening losses this example trains with. */
    public static final List<String> LOSSES = List.of("pansharpening");

    static final int SIDE = 32;
    static final int RATIO = 4;
    static final int BANDS = 4;

    /** GE1's MTF gain at the MS Nyquist frequency. */
    static final double GAIN = 0.23;

    private Pansharpening() {
    }

    /** Scenes: truth (N, B, H, W), PAN (N, 1, H, W), MS (N, B, H/r, W/r), MS↑ (N, B, H, W). */
    record Scenes(NDArray truth, NDArray pan, NDArray ms, NDArray msUp) {}

    static Scenes scenes(NDManager m, Random rng, int n) {
        float[] truth = new float[n * BANDS * SIDE * SIDE];
        for (int i = 0; i < n; i++) {
            int[][] material = new int[SIDE][SIDE];
            for (int r = 0; r < 6; r++) {
                int top = rng.nextInt(SIDE - 4);
                int left = rng.nextInt(SIDE - 4);
                int height = 3 + rng.nextInt(12);
                int width = 3 + rng.nextInt(12);
                int kind = 1 + rng.nextInt(4);
                for (int y = top; y < Math.min(SIDE, top + height); y++) {
                    for (int x = left; x < Math.min(SIDE, left + width); x++) {
                        material[y][x] = kind;
                    }
                }
            }
            double[][] spectra = new double[5][BANDS];
            for (double[] s : spectra) {
                for (int b = 0; b < BANDS; b++) {
                    s[b] = 0.1 + 0.4 * rng.nextDouble();
                }
            }
            for (int b = 0; b < BANDS; b++) {
                for (int y = 0; y < SIDE; y++) {
                    for (int x = 0; x < SIDE; x++) {
                        truth[((i * BANDS + b) * SIDE + y) * SIDE + x] =
                                (float) (spectra[material[y][x]][b] + 0.01 * rng.nextGaussian());
                    }
                }
            }
        }
        NDArray t = m.create(truth, new Shape(n, BANDS, SIDE, SIDE));
        NDArray pan = t.mean(new int[] {1}, true);
        int low = SIDE / RATIO;
        float[] ms = new float[n * BANDS * low * low];
        float[] plane = new float[SIDE * SIDE];
        for (int ib = 0; ib < n * BANDS; ib++) {
            System.arraycopy(truth, ib * SIDE * SIDE, plane, 0, plane.length);
            float[] blurred = blur(blur(plane, 1, SIDE), SIDE, 1);
            for (int y = 0; y < low; y++) {
                for (int x = 0; x < low; x++) {
                    ms[(ib * low + y) * low + x] = blurred[(RATIO / 2 + y * RATIO) * SIDE + RATIO / 2 + x * RATIO];
                }
            }
        }
        NDArray msArray = m.create(ms, new Shape(n, BANDS, low, low));
        NDArray msUp = msArray.repeat(2, RATIO).repeat(3, RATIO);
        return new Scenes(t, pan, msArray, msUp);
    }

    /**
     * A Gaussian blur along one axis of a SIDE×SIDE plane (step 1: rows, step SIDE: columns) with the
     * σ of the loss's {@code mtf = gaussian} degradation, \( r\sqrt{-2\ln G}/\pi \) with the GE1 gain G
     * = {@value #GAIN}, replicate padding: the MS is made as the loss assumes it was.
     */
    private static float[] blur(float[] plane, int step, int lineStep) {
        double sigma = RATIO * Math.sqrt(-2 * Math.log(GAIN)) / Math.PI;
        int half = 20;
        double[] kernel = new double[2 * half + 1];
        double sum = 0;
        for (int k = -half; k <= half; k++) {
            kernel[k + half] = Math.exp(-k * k / (2 * sigma * sigma));
            sum += kernel[k + half];
        }
        float[] out = new float[plane.length];
        for (int line = 0; line < SIDE; line++) {
            for (int i = 0; i < SIDE; i++) {
                double v = 0;
                for (int k = -half; k <= half; k++) {
                    int j = Math.min(SIDE - 1, Math.max(0, i + k));
                    v += kernel[k + half] / sum * plane[line * lineStep + j * step];
                }
                out[line * lineStep + i * step] = (float) v;
            }
        }
        return out;
    }

    private static Block conv(int filters) {
        return Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(filters).build();
    }

    private static NDArray fuse(Block net, ParameterStore store, Scenes s, boolean training) {
        NDArray input = s.msUp().concat(s.pan(), 1);
        return s.msUp().add(net.forward(store, new NDList(input), training).singletonOrThrow());
    }

    /**
     * The correlation of the detail the network adds, fused − MS↑, with the detail MS↑ lacks,
     * truth − MS↑, over every band and pixel.
     */
    private static double detailCorrelation(NDArray fused, Scenes s) {
        NDArray added = fused.sub(s.msUp()).flatten();
        NDArray missing = s.truth().sub(s.msUp()).flatten();
        NDArray a = added.sub(added.mean());
        NDArray b = missing.sub(missing.mean());
        return a.mul(b).sum().getFloat() / Math.sqrt(a.square().sum().getFloat() * b.square().sum().getFloat() + 1e-30);
    }

    /** {RMSE against the truth, detail correlation} of the fused test scenes. */
    private static double[] measure(Block net, ParameterStore store, Scenes test) {
        try (NDManager m = test.truth().getManager().newSubManager()) {
            NDArray fused = fuse(net, store, test, false);
            fused.attach(m);
            return new double[] {rmse(fused, test.truth()), detailCorrelation(fused, test)};
        }
    }

    private static double rmse(NDArray a, NDArray b) {
        return Math.sqrt(a.sub(b).square().mean().getFloat());
    }

    /**
     * Runs the example.
     *
     * @param args {@code [--quick] [--loss ID] [--seed N]}
     */
    public static void main(String[] args) {
        ExampleArgs a = ExampleArgs.parse("segmentation.Pansharpening", LOSSES, 29, args);
        int steps = a.quick() ? 100 : 400;
        Engine.getInstance().setRandomSeed((int) a.seed());
        Random rng = new Random(a.seed());
        BaseLoss loss = Losses.create(a.loss(), Map.of("sensor", "GE1", "ratio", RATIO, "mtf", "gaussian"));
        System.out.printf("Unsupervised pansharpening with %s (GE1, ratio %d) on generated %d×%d scenes of %d bands,"
                + " %d steps of 8 scenes%n", a.loss(), RATIO, SIDE, SIDE, BANDS, steps);
        try (NDManager manager = NDManager.newBaseManager()) {
            Block net = new SequentialBlock().add(conv(16)).add(Activation::relu).add(conv(16)).add(Activation::relu)
                    .add(conv(BANDS));
            net.setInitializer(new NormalInitializer(0.01f), Parameter.Type.WEIGHT);
            net.initialize(manager, DataType.FLOAT32, new Shape(1, BANDS + 1, SIDE, SIDE));
            ParameterStore store = new ParameterStore(manager, false);
            AdamUpdater adam = new AdamUpdater(1e-3).add(net);
            Scenes test = scenes(manager, rng, 16);
            double interpolation = rmse(test.msUp(), test.truth());
            double[] before = measure(net, store, test);
            for (int step = 1; step <= steps; step++) {
                try (NDManager m = manager.newSubManager()) {
                    Scenes s = scenes(m, rng, 8);
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray value = loss.evaluate(new NDList(s.pan(), s.ms(), s.msUp()),
                                new NDList(fuse(net, store, s, true)));
                        collector.backward(value);
                        if (step % Math.max(1, steps / 4) == 0) {
                            System.out.printf("  step %4d  %s %.4f%n", step, a.loss(), value.getFloat());
                        }
                    }
                    adam.step();
                }
            }
            double[] after = measure(net, store, test);
            ExampleResult.report(String.format("%s: held-out correlation of the added detail with the missing detail %.3f"
                    + " -> %.3f; RMSE against the hidden truth %.4f -> %.4f (MS upsampled alone: %.4f)", a.loss(),
                    before[1], after[1], before[0], after[0], interpolation),
                    after[1] > before[1] + 0.2,
                    "training with the unsupervised loss makes the network add the spatial detail that MS lacks");
        }
    }
}

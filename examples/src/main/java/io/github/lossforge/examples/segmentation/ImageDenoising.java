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
import ai.djl.training.initializer.XavierInitializer;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Losses;
import io.github.lossforge.examples.support.AdamUpdater;
import io.github.lossforge.examples.support.ExampleArgs;
import io.github.lossforge.examples.support.ExampleResult;

import java.util.List;
import java.util.Map;

/**
 * Image denoising trained with a structural-similarity loss: a 3-layer convolutional network with a
 * sigmoid output (intensities in [0, 1], the loss's data range) maps a noisy 48×48 ring image ({@link RingImages}, noise σ = 0.5) to the clean one, trained with {@code
 * ssim} (1 − SSIM, 7-tap window) or {@code ms-ssim} (1 − MS-SSIM over five scales, 3-tap window so that
 * 48 pixels hold five scales). Prints the held-out SSIM (7-tap window) and PSNR of the network's output
 * before and after training, beside those of the noisy input itself.
 *
 * <p>Run: {@code examples/run-examples.sh segmentation.ImageDenoising [--quick] [--loss ID]}.
 */
public final class ImageDenoising {

    /** The losses this example trains with. */
    public static final List<String> LOSSES = List.of("ssim", "ms-ssim");

    private static final int SIZE = 48;
    private static final double NOISE = 0.5;

    private ImageDenoising() {
    }

    /** SSIM and PSNR (dB) of images against the clean ones. */
    static double[] quality(BaseLoss ssim, NDArray images, NDArray clean) {
        double similarity = 1 - ssim.evaluate(new NDList(clean), new NDList(images)).getFloat();
        double mse = images.sub(clean).square().mean().getFloat();
        return new double[] {similarity, 10 * Math.log10(1 / mse)};
    }

    private static Conv2d conv(int filters) {
        return Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(filters).build();
    }

    /**
     * Runs the example.
     *
     * @param args {@code [--quick] [--loss ID] [--seed N]}
     */
    public static void main(String[] args) {
        ExampleArgs a = ExampleArgs.parse("segmentation.ImageDenoising", LOSSES, 31, args);
        String lossId = a.loss();
        long seed = a.seed();
        int steps = a.quick() ? 60 : 300;
        Engine.getInstance().setRandomSeed((int) seed);
        RingImages data = new RingImages(seed, NOISE, SIZE);
        BaseLoss loss = Losses.create(lossId, Map.of("window", lossId.equals("ssim") ? 7 : 3));
        BaseLoss ssim = Losses.create("ssim", Map.of("window", 7));
        System.out.printf("Denoising %dx%d ring images (noise sigma %.1f) with %s, %d steps of 8 images%n", SIZE, SIZE,
                NOISE, lossId, steps);
        try (NDManager manager = NDManager.newBaseManager()) {
            Block net = new SequentialBlock()
                    .add(conv(16)).add(Activation::relu)
                    .add(conv(16)).add(Activation::relu)
                    .add(conv(1)).add(Activation::sigmoid);
            net.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
            net.initialize(manager, DataType.FLOAT32, new Shape(1, 1, SIZE, SIZE));
            ParameterStore store = new ParameterStore(manager, false);
            AdamUpdater adam = new AdamUpdater(1e-2).add(net);
            RingImages.Batch test = data.batch(manager, 32);
            double[] noisy = quality(ssim, test.images(), test.clean());
            System.out.printf("  the noisy input itself: SSIM %.3f, PSNR %.1f dB%n", noisy[0], noisy[1]);
            double[] before = quality(ssim, net.forward(store, new NDList(test.images()), false).singletonOrThrow(),
                    test.clean());
            for (int step = 1; step <= steps; step++) {
                try (NDManager m = manager.newSubManager()) {
                    RingImages.Batch b = data.batch(m, 8);
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray output = net.forward(store, new NDList(b.images()), true).singletonOrThrow();
                        collector.backward(loss.evaluate(new NDList(b.clean()), new NDList(output)));
                    }
                    adam.step();
                }
                if (step % Math.max(1, steps / 4) == 0) {
                    try (NDManager m = manager.newSubManager()) {
                        NDArray output = net.forward(store, new NDList(test.images()), false).singletonOrThrow();
                        output.attach(m);
                        double[] q = quality(ssim, output, test.clean());
                        System.out.printf("  step %4d  SSIM %.3f, PSNR %.1f dB%n", step, q[0], q[1]);
                    }
                }
            }
            double[] after = quality(ssim, net.forward(store, new NDList(test.images()), false).singletonOrThrow(),
                    test.clean());
            ExampleResult.report(String.format("%s: held-out SSIM %.3f -> %.3f, PSNR %.1f -> %.1f dB (noisy input: SSIM"
                    + " %.3f, %.1f dB)", lossId, before[0], after[0], before[1], after[1], noisy[0], noisy[1]),
                    after[0] > noisy[0] && after[0] > before[0],
                    "the trained network's output is more similar to the clean image than the noisy input is");
        }
    }
}

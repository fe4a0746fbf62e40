package io.github.lossforge.segmentation.image;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.testkit.Generators;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.LossContract.BadInput;
import io.github.lossforge.core.testkit.Sample;
import io.github.lossforge.core.testkit.TrainingTask;
import io.github.lossforge.segmentation.DenseTask;

import java.util.List;
import java.util.Random;

/** Bad inputs and the training task shared by the SSIM-type losses. */
final class ImageBadInputs {

    private ImageBadInputs() {}

    static List<BadInput> cases(Random rng, int side) {
        HostTensor x = Generators.uniform(rng, 0, 1, 2, 1, side, side);
        HostTensor y = Generators.uniform(rng, 0, 1, 2, 1, side, side);
        double[] nan = y.data();
        nan[3] = Double.NaN;
        String shape = "(2, 1, " + side + ", " + side + ")";
        return List.of(
                new BadInput("rank-3 x",
                        new Sample(List.of(y.reshape(2, side, side)), List.of(x.reshape(2, side, side))),
                        "predictions[0] (x)", "(N, C, H, W)"),
                new BadInput("y of another shape",
                        new Sample(List.of(y.reshape(2, 1, side * side / side, side).firstRows(1)), List.of(x)),
                        "labels[0] (y)", "(1, 1, " + side + ", " + side + ")", shape),
                new BadInput("y with NaN", new Sample(List.of(y.withData(nan)), List.of(x)), "labels[0] (y)", "NaN"),
                new BadInput("missing y", new Sample(List.of(), List.of(x)), "labels"),
                new BadInput("extra prediction slot", new Sample(List.of(y), List.of(x, x)), "predictions"));
    }

    /** The dense task with a sigmoid maps (2, 2, side, side) noise to one channel; y is a smooth function of it. */
    static TrainingTask denoisingTask(int side) {
        return new DenseTask(1, 2, side, side, true, (manager, x, rng) -> {
            int b = x.length;
            float[] y = new float[b * side * side];
            int k = 0;
            for (float[][][] sample : x) {
                for (int i = 0; i < side; i++) {
                    for (int j = 0; j < side; j++) {
                        y[k++] = (float) (0.5 + 0.4 * Math.tanh(sample[0][i][j] - 0.5 * sample[1][i][j]));
                    }
                }
            }
            return new NDList(manager.create(y, new Shape(b, 1, side, side)));
        });
    }
}

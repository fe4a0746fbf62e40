package io.github.lossforge.contrastive.fewshot;

import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.testkit.Generators;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.LossContract.BadInput;
import io.github.lossforge.core.testkit.Sample;

import java.util.List;
import java.util.Random;

/** The bad-input matrix of the episode losses. */
final class FewShotBadInputs {

    private FewShotBadInputs() {}

    static List<BadInput> forEpisodes(Random rng) {
        HostTensor s = Generators.normal(rng, 1, 4, 3);
        HostTensor q = Generators.normal(rng, 1, 4, 3);
        HostTensor ys = HostTensor.longs(new long[] {0, 0, 1, 1}, 4);
        HostTensor yq = HostTensor.longs(new long[] {0, 1, 0, 1}, 4);
        return List.of(
                new BadInput("rank-1 support", new Sample(List.of(ys, yq), List.of(s.reshape(12), q)),
                        "predictions[0] (support)", "(W*S, D)"),
                new BadInput("query size mismatch", new Sample(List.of(ys, yq),
                        List.of(s, Generators.normal(rng, 1, 4, 2))), "predictions[1] (query)", "(4, 2)", "3"),
                new BadInput("support batch mismatch", new Sample(List.of(ys.firstRows(3), yq), List.of(s, q)),
                        "labels[0] (support classes)", "(3)", "4"),
                new BadInput("query class without prototype", new Sample(
                        List.of(ys, HostTensor.longs(new long[] {0, 1, 2, 1}, 4)), List.of(s, q)),
                        "labels[1] (query classes)", "2", "[0, 2)"),
                new BadInput("class gap in the support", new Sample(
                        List.of(HostTensor.longs(new long[] {0, 0, 2, 2}, 4), yq), List.of(s, q)),
                        "labels[0] (support classes)", "covers 2 of the classes 0..2"),
                new BadInput("a single class", new Sample(
                        List.of(HostTensor.longs(new long[] {0, 0, 0, 0}, 4), HostTensor.longs(new long[] {0, 0, 0, 0}, 4)),
                        List.of(s, q)), "labels[0] (support classes)", "at least 2"),
                new BadInput("floating classes", new Sample(List.of(ys.withType(DataType.FLOAT32), yq), List.of(s, q)),
                        "labels[0] (support classes)", "int"),
                new BadInput("missing query classes", new Sample(List.of(ys), List.of(s, q)), "labels"));
    }
}

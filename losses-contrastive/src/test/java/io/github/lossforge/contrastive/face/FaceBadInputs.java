package io.github.lossforge.contrastive.face;

import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.testkit.Generators;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.LossContract.BadInput;
import io.github.lossforge.core.testkit.Sample;

import java.util.List;
import java.util.Random;

/** The bad-input matrix of the face heads: (N, D) embeddings, (C, D) class weights, (N) classes. */
final class FaceBadInputs {

    private FaceBadInputs() {}

    static List<BadInput> forEmbeddingsWeightsAndClasses(Random rng) {
        HostTensor x = Generators.normal(rng, 1, 4, 3);
        HostTensor w = Generators.normal(rng, 1, 5, 3);
        HostTensor y = Generators.classes(rng, 5, 4);
        return List.of(
                new BadInput("rank-3 embeddings", new Sample(List.of(y), List.of(x.reshape(4, 3, 1), w)),
                        "predictions[0] (embeddings)", "(4, 3, 1)", "(N, D)"),
                new BadInput("rank-1 weights", new Sample(List.of(y), List.of(x, w.reshape(15))),
                        "predictions[1] (class weights)", "(C, D)"),
                new BadInput("weight size mismatch", new Sample(List.of(y),
                        List.of(x, Generators.normal(rng, 1, 5, 2))), "predictions[1] (class weights)", "(5, 2)", "3"),
                new BadInput("batch mismatch", new Sample(List.of(y.firstRows(3)), List.of(x, w)),
                        "labels[0] (classes)", "(3)", "4"),
                new BadInput("class out of range", new Sample(List.of(HostTensor.longs(new long[] {0, 1, 5, 2}, 4)),
                        List.of(x, w)), "labels[0] (classes)", "5", "[0, 5)"),
                new BadInput("negative class", new Sample(List.of(HostTensor.longs(new long[] {0, -1, 2, 2}, 4)),
                        List.of(x, w)), "labels[0] (classes)", "-1"),
                new BadInput("floating classes", new Sample(List.of(y.withType(DataType.FLOAT32)), List.of(x, w)),
                        "labels[0] (classes)", "int"),
                new BadInput("missing weights", new Sample(List.of(y), List.of(x)), "predictions"));
    }
}

package io.github.lossforge.contrastive.pairs;

import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.testkit.Generators;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.LossContract.BadInput;
import io.github.lossforge.core.testkit.Sample;

import java.util.List;
import java.util.Random;

/** The bad-input matrix of every loss that takes (N, D) embeddings and (N) class labels. */
final class PairBadInputs {

    private PairBadInputs() {}

    static List<BadInput> forEmbeddingsAndClasses(Random rng) {
        HostTensor x = Generators.normal(rng, 1, 4, 3);
        HostTensor y = Generators.classes(rng, 2, 4);
        return List.of(
                new BadInput("rank-3 embeddings", new Sample(List.of(y), List.of(x.reshape(4, 3, 1))),
                        "predictions[0] (embeddings)", "(4, 3, 1)", "(N, D)"),
                new BadInput("rank-2 classes", new Sample(List.of(y.reshape(4, 1)), List.of(x)),
                        "labels[0] (classes)", "(4, 1)", "(N)"),
                new BadInput("batch mismatch", new Sample(List.of(y.firstRows(3)), List.of(x)),
                        "labels[0] (classes)", "(3)", "4"),
                new BadInput("floating classes", new Sample(List.of(y.withType(DataType.FLOAT32)), List.of(x)),
                        "labels[0] (classes)", "int"),
                new BadInput("missing classes", new Sample(List.of(), List.of(x)), "labels"),
                new BadInput("extra prediction slot", new Sample(List.of(y), List.of(x, x)), "predictions"));
    }
}

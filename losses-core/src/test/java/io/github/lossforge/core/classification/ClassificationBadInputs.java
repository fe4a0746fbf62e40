package io.github.lossforge.core.classification;

import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.testkit.Generators;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.LossContract.BadInput;
import io.github.lossforge.core.testkit.Sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** The bad-input matrix of every loss that takes (N, C) scores and (N) class targets. */
public final class ClassificationBadInputs {

    private ClassificationBadInputs() {}

    public static List<BadInput> forScoresAndTargets(Random rng, String role, String layout) {
        return forScoresAndTargets(rng, role, layout, List.of());
    }

    /**
     * The same matrix for a loss that takes further label slots after the targets (e.g. sample ids):
     * every case but the missing-target one carries {@code extraLabels}, valid for a batch of 4.
     */
    public static List<BadInput> forScoresAndTargets(Random rng, String role, String layout, List<HostTensor> extraLabels) {
        HostTensor logits = Generators.normal(rng, 1, 4, 3);
        HostTensor targets = Generators.classes(rng, 3, 4);
        return withExtraLabels(extraLabels, List.of(
                new BadInput("rank-3 scores",
                        new Sample(List.of(targets), List.of(logits.reshape(4, 3, 1))),
                        "predictions[0] (" + role + ")", "(4, 3, 1)", layout),
                new BadInput("rank-2 targets",
                        new Sample(List.of(targets.reshape(4, 1)), List.of(logits)),
                        "labels[0] (target)", "(4, 1)", "(N)"),
                new BadInput("batch mismatch",
                        new Sample(List.of(targets.firstRows(3)), List.of(logits)),
                        "labels[0] (target)", "(3)", "4"),
                new BadInput("class index out of range",
                        new Sample(List.of(HostTensor.longs(new long[] {0, 1, 3, 2}, 4)), List.of(logits)),
                        "labels[0] (target)", "3", "[0, 3)"),
                new BadInput("negative class index",
                        new Sample(List.of(HostTensor.longs(new long[] {0, -1, 2, 2}, 4)), List.of(logits)),
                        "labels[0] (target)", "-1"),
                new BadInput("floating targets",
                        new Sample(List.of(targets.withType(DataType.FLOAT32).reshape(4)), List.of(logits)),
                        "labels[0] (target)", "int64"),
                new BadInput("missing target slot",
                        new Sample(List.of(), List.of(logits)), "labels"),
                new BadInput("extra prediction slot",
                        new Sample(List.of(targets), List.of(logits, logits)), "predictions")));
    }

    /**
     * The matrix of a loss that takes two (N, C) score slots of the same shape (e.g. clean and
     * adversarial logits) and (N) class targets.
     */
    static List<BadInput> forTwoScoreSlotsAndTargets(Random rng, String firstRole, String secondRole) {
        HostTensor logits = Generators.normal(rng, 1, 4, 3);
        HostTensor targets = Generators.classes(rng, 3, 4);
        return List.of(
                new BadInput("rank-3 " + firstRole,
                        new Sample(List.of(targets), List.of(logits.reshape(4, 3, 1), logits.reshape(4, 3, 1))),
                        "predictions[0] (" + firstRole + ")", "(N, C)"),
                new BadInput(secondRole + " of another shape",
                        new Sample(List.of(targets), List.of(logits, logits.reshape(3, 4))),
                        "predictions[1] (" + secondRole + ")", "(3, 4)", "(4, 3)"),
                new BadInput("batch mismatch", new Sample(List.of(targets.firstRows(2)), List.of(logits, logits)),
                        "labels[0] (target)", "(2)"),
                new BadInput("class index out of range",
                        new Sample(List.of(HostTensor.longs(new long[] {0, 3, 1, 2}, 4)), List.of(logits, logits)),
                        "labels[0] (target)", "[0, 3)"),
                new BadInput("floating targets",
                        new Sample(List.of(targets.withType(DataType.FLOAT32)), List.of(logits, logits)),
                        "labels[0] (target)", "int64"),
                new BadInput("missing " + secondRole, new Sample(List.of(targets), List.of(logits)), "predictions"));
    }

    private static List<BadInput> withExtraLabels(List<HostTensor> extraLabels, List<BadInput> cases) {
        List<BadInput> out = new ArrayList<>();
        for (BadInput b : cases) {
            List<HostTensor> labels = new ArrayList<>(b.sample().labels());
            if (!labels.isEmpty()) {
                labels.addAll(extraLabels);
            }
            out.add(new BadInput(b.name(), new Sample(labels, b.sample().predictions()), b.fragments()));
        }
        return out;
    }
}

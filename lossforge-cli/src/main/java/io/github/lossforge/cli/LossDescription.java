package io.github.lossforge.cli;

import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.ParamSpec;

import java.util.stream.Collectors;

/** How {@code list} and {@code info} describe a loss: its slots, parameters and example command. */
final class LossDescription {

    private LossDescription() {}

    /**
     * The labels slots, or a dash when the loss takes none.
     *
     * @param info the loss
     * @return the slots joined with "; "
     */
    static String labels(LossInfo info) {
        return info.labelSlots().isEmpty() ? "–" : String.join("; ", info.labelSlots());
    }

    /**
     * The parameters with their defaults on one line.
     *
     * @param info the loss
     * @return {@code name=default, …}
     */
    static String parameters(LossInfo info) {
        return info.parameters().stream().map(p -> p.name() + "=" + defaultOf(p)).collect(Collectors.joining(", "));
    }

    /**
     * A parameter's default, or {@code (required)}.
     *
     * @param p the parameter
     * @return the text
     */
    static String defaultOf(ParamSpec p) {
        return p.required() ? "(required)" : String.valueOf(p.defaultValue());
    }

    /**
     * The command that shows the loss in use: {@code lossforge demo --loss ID} for drop-in classifier
     * losses, otherwise the example the loss names.
     *
     * @param info the loss
     * @return the command or hint, empty when there is none
     */
    static String example(LossInfo info) {
        return info.classifierLoss() ? "lossforge demo --loss " + info.id() : info.example();
    }
}

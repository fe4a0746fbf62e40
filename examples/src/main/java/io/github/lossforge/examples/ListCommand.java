package io.github.lossforge.examples;

import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.Losses;
import io.github.lossforge.core.ParamSpec;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.stream.Collectors;

/** {@code lossforge list}: every registered loss with its class, paper, slots and parameters. */
@Command(name = "list", description = "List every registered loss: id, class, paper, parameters with defaults.")
final class ListCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        for (String id : Losses.ids()) {
            LossInfo info = Losses.info(id);
            out.println(id + "  " + info.lossClass().getName());
            out.println("    paper:       " + info.paper());
            out.println("    predictions: " + String.join("; ", info.predictionSlots()));
            out.println("    labels:      " + (info.labelSlots().isEmpty() ? "–" : String.join("; ", info.labelSlots())));
            out.println("    parameters:  " + info.parameters().stream()
                    .map(ListCommand::describe).collect(Collectors.joining(", ")));
            if (!info.example().isEmpty()) {
                out.println("    example:     " + info.example());
            }
        }
        out.flush();
    }

    private static String describe(ParamSpec p) {
        return p.name() + "=" + (p.required() ? "(required)" : p.defaultValue());
    }
}

package io.github.lossforge.cli;

import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.Losses;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** {@code lossforge list}: every registered loss with its class, paper, slots and parameters. */
@Command(name = "list", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        description = "List every registered loss: id, class, paper, slots, parameters with defaults.")
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
            out.println("    labels:      " + LossDescription.labels(info));
            out.println("    parameters:  " + LossDescription.parameters(info));
            String example = LossDescription.example(info);
            if (!example.isEmpty()) {
                out.println("    example:     " + example);
            }
        }
        out.flush();
    }
}

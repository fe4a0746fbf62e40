package io.github.lossforge.cli;

import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.Losses;
import io.github.lossforge.core.ParamSpec;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;

/**
 * {@code lossforge info ID}: one loss's javadoc summary, paper, slots, parameters (default, accepted
 * values, meaning) and the command that shows it in use.
 */
@Command(name = "info", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        description = "Describe one loss: summary, paper, slots, parameters and an example command.")
final class InfoCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "the loss id (see 'lossforge list')")
    private String id;

    @Override
    public void run() {
        LossInfo info = Losses.info(id);
        PrintWriter out = spec.commandLine().getOut();
        out.println(info.id() + "  " + info.lossClass().getName());
        String summary = JavadocSummaries.of(info.lossClass());
        out.println("  " + (summary.isEmpty() ? "(no javadoc summary)" : summary));
        out.println("  paper:       " + info.paper());
        out.println("  predictions: " + String.join("; ", info.predictionSlots()));
        out.println("  labels:      " + LossDescription.labels(info));
        out.println("  parameters:");
        int width = info.parameters().stream().mapToInt(p -> p.name().length()).max().orElse(0);
        for (ParamSpec p : info.parameters()) {
            out.printf("    %-" + width + "s = %-10s %s; %s%n", p.name(), LossDescription.defaultOf(p), p.expected(),
                    p.description());
        }
        String example = LossDescription.example(info);
        out.println("  example:     " + (example.isEmpty() ? "–" : example));
        out.flush();
    }
}

package io.github.lossforge.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code lossforge guide-demo}: guides a tiny attention "UNet" with {@code bacon} toward a two-box
 * layout through {@code LatentGuidance}, prints each concept's attention mass inside its box before
 * and after, and writes a PNG of the maps.
 */
@Command(name = "guide-demo", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        description = "Guide a tiny attention UNet's latent toward a two-box layout with the bacon loss; write a PNG.")
final class GuideDemoCommand implements Callable<Integer> {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--steps", defaultValue = "40", description = "guided steps (default: ${DEFAULT-VALUE})")
    private int steps;

    @Option(names = "--step-size", defaultValue = "100", description = "α, the latent step size (default: ${DEFAULT-VALUE})")
    private double stepSize;

    @Option(names = "--seed", defaultValue = "42", description = "initialisation seed (default: ${DEFAULT-VALUE})")
    private long seed;

    @Option(names = "--out", description = "the PNG to write (default: examples/output/guide-demo.png from the"
            + " repository root, output/guide-demo.png elsewhere)")
    private Path out;

    @Override
    public Integer call() throws IOException {
        Validation.atLeast(spec, "--steps", steps, 1);
        Validation.between(spec, "--step-size", stepSize, 0, Double.POSITIVE_INFINITY);
        GuideDemo.run(steps, stepSize, seed, out == null ? defaultOutput() : out, spec.commandLine().getOut());
        return 0;
    }

    /** The examples module's output folder, whether run from the repository root or from examples/. */
    private static Path defaultOutput() {
        Path inRepository = Path.of("examples");
        Path folder = Files.isRegularFile(inRepository.resolve("pom.xml")) ? inRepository.resolve("output")
                : Path.of("output");
        return folder.resolve("guide-demo.png");
    }
}

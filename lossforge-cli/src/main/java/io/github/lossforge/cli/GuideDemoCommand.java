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

    /** Guided steps of a full run. */
    static final int STEPS = 40;

    /** Guided steps of a {@code --quick} run. */
    static final int QUICK_STEPS = 10;

    @Option(names = "--steps", description = "guided steps (default: " + STEPS + ", with --quick " + QUICK_STEPS + ")")
    private Integer steps;

    @Option(names = "--quick", description = "a short run (" + QUICK_STEPS + " steps) for a smoke test; --steps overrides it")
    private boolean quick;

    @Option(names = "--step-size", defaultValue = "100", description = "α, the latent step size (default: ${DEFAULT-VALUE})")
    private double stepSize;

    @Option(names = "--seed", defaultValue = "42", description = "initialisation seed (default: ${DEFAULT-VALUE})")
    private long seed;

    @Option(names = "--out", description = "the PNG to write (default: examples/output/guide-demo.png from the"
            + " repository root, output/guide-demo.png elsewhere)")
    private Path out;

    @Override
    public Integer call() throws IOException {
        int guided = steps != null ? steps : quick ? QUICK_STEPS : STEPS;
        Validation.atLeast(spec, "--steps", guided, 1);
        Validation.between(spec, "--step-size", stepSize, 0, Double.POSITIVE_INFINITY);
        GuideDemo.Outcome o = GuideDemo.run(guided, stepSize, seed, out == null ? defaultOutput() : out,
                spec.commandLine().getOut());
        for (int k = 0; k < o.after().length; k++) {
            if (!(o.alignedAfter()[k] > o.alignedBefore()[k])) {
                spec.commandLine().getErr().printf("guide-demo: concept %d's aligned attention mass inside its box did"
                        + " not rise (%.3f -> %.3f)%n", k + 1, o.alignedBefore()[k], o.alignedAfter()[k]);
                return 1;
            }
        }
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

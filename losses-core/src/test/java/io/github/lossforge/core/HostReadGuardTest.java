package io.github.lossforge.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Library code reads the host (a device synchronisation on a GPU) only where this list says why:
 * every read of an array's values ({@code getDouble()}, {@code toFloatArray()}, …) and every
 * data-dependent shape ({@code nonzero()}, {@code booleanMask(…)}) in {@code src/main} of the loss
 * modules is counted per file and must match the count allowed here, with its reason. Value checks
 * go through {@link Slot#requireValues} (read once per call by {@link ValueChecks}), never a read of
 * their own. Remove an entry when its reads are gone; add one only with a reason a reviewer accepts.
 */
class HostReadGuardTest {

    private static final Pattern HOST_READ = Pattern.compile(
            "\\.(getBoolean|getDouble|getFloat|getLong|getInt|toFloatArray|toDoubleArray|toLongArray|toIntArray"
                    + "|toBooleanArray|toByteArray|toUint8Array|nonzero)\\(\\)|\\.booleanMask\\(");

    /** File (relative to the module's package root) → allowed reads and why. */
    private static final Map<String, Allowed> ALLOWED = new LinkedHashMap<>();

    static {
        allow("core/ValueChecks.java", 1, "the one host read of the checks policy (full), at most one per evaluate");
        allow("core/kernels/BlockedLinearCrossEntropy.java", 2,
                "filtering on the CPU only: the kept rows of a block are gathered (count and nonzero set a shape);"
                        + " on a GPU the portable kernel does not filter, so it reads nothing");
        allow("core/classification/AdaptiveLdrKlLoss.java", 2,
                "per-sample λ state lives on the host (indexed by sample ids, updated in closed form per row)");
        allow("core/sequence/EnsLoss.java", 2,
                "draws its derivatives from the loss's seeded java.util.Random and ranks them against the"
                        + " margins on the host (reproducible on every device)");
        allow("core/density/CompositionalNllLoss.java", 2,
                "the running partition estimate u is state on the host (spec: state takes no part in autograd)");
        allow("core/sequence/SequenceLogProb.java", 3,
                "a helper that builds inputs outside evaluate (validates token ids for its caller)");
        allow("core/classification/AdversarialPerturbation.java", 2,
                "PGD attack helper run by the caller before evaluate; validates the targets it is given");
        allow("core/classification/HybridMultiLabelLoss.java", 1,
                "statisticsOf: dataset statistics computed once before training, not per evaluate");
        allow("core/calibration/PlattScaler.java", 2, "fits Platt scaling by Newton steps on the host, once, not a loss");
        allow("core/diagnostics/NeuralCollapse.java", 3, "diagnostic metrics read for reporting, not a training loss");
        allow("core/diagnostics/AlphaBatchNorm.java", 1, "diagnostic: reads the batch-norm parameters to report them");
        allow("contrastive/condensation/CondensationStep.java", 1,
                "the outer dataset-condensation loop reports the matching value per step (a driver, not a loss)");
        allow("contrastive/pairs/TripletMarginLoss.java", 1,
                "mining=all gathers the anchor–positive pairs (libtorch's nonzero), so it holds |P|·N triplet"
                        + " values instead of N³");
        allow("contrastive/retrieval/MannWhitneyLoss.java", 2,
                "global pairing gathers the positive and the negative entries (data-dependent sizes, libtorch's"
                        + " nonzero), so the work is |P|·|N| pair values instead of (QK)² over a dense mask");
        allow("contrastive/fewshot/Episode.java", 2,
                "the number of ways (largest class + 1) sets array shapes, and the support must cover each class");
        allow("contrastive/hyperbolic/PseudoNegativeSampler.java", 1,
                "the running feature mean is host state of the sampler (outside evaluate)");
        allow("diffusion/AttendExciteLoss.java", 1, "token indices choose which attention maps are smoothed (K small)");
        allow("diffusion/LatentGuidance.java", 1, "the latent-update loop reports each step's loss value (a driver)");
        allow("diffusion/kernel/CpuAttentionKernel.java", 2,
                "the CPU kernel's A-STAR pass runs a Java loop over the maps (CPU only; the CUDA kernel reads"
                        + " nothing)");
        allow("segmentation/topology/TopologyLoss.java", 2,
                "persistence is host-side by nature: images read once per call, processed in parallel on a"
                        + " bounded pool");
    }

    @Test
    void libraryHostReadsAreTheListedOnes() throws IOException {
        Map<String, List<String>> found = new TreeMap<>();
        try (Stream<Path> files = Files.walk(Path.of(".."))) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> p.toString().contains("src" + java.io.File.separator + "main"))
                    .filter(p -> p.normalize().toString().contains("losses-"))::iterator) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = HOST_READ.matcher(lines.get(i));
                    while (m.find()) {
                        found.computeIfAbsent(key(f), k -> new ArrayList<>())
                                .add(f.getFileName() + ":" + (i + 1) + ": " + lines.get(i).strip());
                    }
                }
            }
        }
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : found.entrySet()) {
            Allowed a = ALLOWED.get(e.getKey());
            if (a == null || e.getValue().size() > a.count) {
                problems.add(e.getKey() + " reads the host " + e.getValue().size() + " time(s), allowed "
                        + (a == null ? 0 : a.count) + ": " + e.getValue());
            }
        }
        for (Map.Entry<String, Allowed> e : ALLOWED.entrySet()) {
            int got = found.getOrDefault(e.getKey(), List.of()).size();
            if (got < e.getValue().count) {
                problems.add(e.getKey() + " is allowed " + e.getValue().count + " host read(s) but has " + got
                        + ": lower its entry");
            }
        }
        assertThat(problems).as("host reads in library code (a device sync each); see the class javadoc").isEmpty();
    }

    @Test
    void everyAllowedReadHasAReason() {
        assertThat(ALLOWED.values()).allSatisfy(a -> assertThat(a.reason).isNotBlank());
    }

    /** "core/kernels/X.java" for .../io/github/lossforge/core/kernels/X.java. */
    private static String key(Path f) {
        String s = f.normalize().toString().replace(java.io.File.separatorChar, '/');
        int at = s.indexOf("io/github/lossforge/");
        return s.substring(at + "io/github/lossforge/".length());
    }

    private static void allow(String file, int count, String reason) {
        ALLOWED.put(file, new Allowed(count, reason));
    }

    /** How many reads a file may make, and why. */
    private static final class Allowed {
        final int count;
        final String reason;

        Allowed(int count, String reason) {
            this.count = count;
            this.reason = reason;
        }
    }
}

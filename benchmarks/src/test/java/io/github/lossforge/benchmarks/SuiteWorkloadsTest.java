package io.github.lossforge.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** The suites' workloads run at tiny shapes and give finite losses (no timing is checked here). */
class SuiteWorkloadsTest {

    @Test
    void contrastiveProbePrintsOneResultLinePerLossWithAndWithoutChunks() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            for (String id : ContrastiveMemoryProbe.LOSSES) {
                ContrastiveMemoryProbe.main(new String[] {id, "32", "8", "0"});
                ContrastiveMemoryProbe.main(new String[] {id, "32", "8", "8"});
            }
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        for (String id : ContrastiveMemoryProbe.LOSSES) {
            assertThat(out).containsPattern("MEMORY " + id + " 32 8 0 \\d+ \\d+\n")
                    .containsPattern("MEMORY " + id + " 32 8 8 \\d+ \\d+\n");
        }
    }

    @Test
    void topologyBenchmarkStepsGiveFiniteLosses() {
        TopologyTimingBenchmark b = new TopologyTimingBenchmark();
        b.size = 32;
        b.noise = 0.3;
        b.setUp();
        try {
            assertThat(b.bettiMatching()).isFinite().isPositive();
            assertThat(b.topoDim0()).isFinite().isPositive();
            assertThat(b.dice()).isFinite().isBetween(0f, 1f);
        } finally {
            b.tearDown();
        }
    }

    @Test
    void benchmarkImageHasRingsInTheTruthAndNoiseOfTheGivenWidth() {
        float[][] image = TopologyTimingBenchmark.image(64, 0.05, 1);
        double truthPixels = 0;
        for (int i = 0; i < image[1].length; i++) {
            truthPixels += image[1][i];
            double clean = 0.2 + 0.6 * image[1][i];
            assertThat(Math.abs(image[0][i] - clean)).isLessThanOrEqualTo(0.025 + 1e-6);
        }
        assertThat(truthPixels).isBetween(64.0, 64.0 * 64 / 2);
    }

    @Test
    void fusedKernelBenchmarkStepsGiveFiniteLossesForBothForms() {
        FusedKernelBenchmark b = new FusedKernelBenchmark();
        b.maps = 8;
        b.size = 8;
        b.setUp();
        try {
            assertThat(b.astarFused()).isFinite().isCloseTo(b.astarComposition(), Offset.offset(1e-4f));
            assertThat(b.baconFused()).isFinite().isCloseTo(b.baconComposition(), Offset.offset(1e-4f));
            assertThat(b.baconAlignedFused()).isFinite()
                    .isCloseTo(b.baconAlignedComposition(), Offset.offset(1e-4f));
        } finally {
            b.tearDown();
        }
    }
}

package io.github.lossforge.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CceReportTest {

    private static final CceShape SMALL = new CceShape(4096, 256, 65536);
    private static final CceShape BIG = new CceShape(8192, 256, 196608);

    private static CceReport report() {
        CceReport r = new CceReport();
        r.setting("machine", "test");
        r.put(SMALL, CceVariant.NAIVE, new CceMeasurement(100, 400, 1L << 30, 4L << 30));
        r.put(SMALL, CceVariant.CCE_EXACT, new CceMeasurement(120, 480, 1L << 20, 136L << 20));
        r.put(SMALL, CceVariant.CCE_FILTERED, new CceMeasurement(110, 300, 1L << 20, 100L << 20));
        r.put(BIG, CceVariant.CCE_EXACT, CceMeasurement.NONE.withMemory(3L << 20, 600L << 20));
        return r;
    }

    @Test
    void ratiosAreAgainstNaiveAtTheSameShapeAndAgainstTheGradientBuffers() {
        String json = report().json();
        assertThat(json).contains("\"forwardBackwardTimeVsNaive\": 1.20000")
                .contains("\"forwardBackwardTimeVsNaive\": 0.750000")
                .contains("\"memoryVsNaive\": 0.0332031")
                .contains("\"memoryVsGradients\": 2.00000");
    }

    @Test
    void gradientBuffersAreTheIssuesLowerBound() {
        assertThat(SMALL.gradientBytes()).isEqualTo(68L << 20);
        assertThat(SMALL.logitBytes()).isEqualTo(1L << 30);
        assertThat(CceShape.parse("4096x256x65536")).isEqualTo(SMALL);
    }

    @Test
    void markdownStatesTargetsAndEstimatesNaiveWhereItIsNotRun() {
        String md = report().markdown();
        assertThat(md).contains("| 4096x256x65536 | cce exact (filterEps=none) | 120 | 480 | 1.200× | 1.200×")
                .contains("memory 2.000× (target ≤ 1.5×: not met), time 1.200× (target ≤ 1.25×: met)")
                .contains("time 0.750× (target ≤ 1.0×: met)")
                .contains("At 8192x256x196608 naive is not run: its logits alone take 6.0 GiB")
                .contains("about 24.0 GiB");
        assertThat(report().chart().chart().getSeriesMap()).containsOnlyKeys("forward + backward time",
                "peak extra memory");
        assertThat(report().svg()).contains("<svg").contains("</svg>");
    }

    @Test
    void aReportReadBackFromItsJsonRendersTheSame() {
        CceReport original = report();
        CceReport again = CceReport.fromJson(original.json());
        assertThat(again.json()).isEqualTo(original.json());
        assertThat(again.markdown()).isEqualTo(original.markdown());
    }
}

package io.github.lossforge.core.scaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

import java.util.Random;

class BivariateNmtLawTest {

    private static final double ENCODER_REF = 2e8;
    private static final double DECODER_REF = 2e8;

    /** Encoder-scaling and decoder-scaling runs around the reference model, as in the paper. */
    private static double[][] runs(Random rng, double alpha, double pe, double pd, double lInf, double noise) {
        double[] sizes = {2.5e7, 5e7, 1e8, 2e8, 4e8, 8e8, 1.6e9};
        int n = 2 * sizes.length;
        double[] e = new double[n];
        double[] d = new double[n];
        double[] l = new double[n];
        for (int i = 0; i < sizes.length; i++) {
            e[i] = sizes[i];
            d[i] = DECODER_REF;
            e[sizes.length + i] = ENCODER_REF;
            d[sizes.length + i] = sizes[i];
        }
        for (int i = 0; i < n; i++) {
            l[i] = alpha * Math.pow(ENCODER_REF / e[i], pe) * Math.pow(DECODER_REF / d[i], pd) + lInf
                    + noise * rng.nextGaussian();
        }
        return new double[][] {e, d, l};
    }

    @Test
    void knownParametersAreRecoveredFromNoisyRuns() {
        double[][] r = runs(new Random(4), 0.6, 0.25, 0.4, 1.2, 0.003);
        BivariateNmtLaw fit = BivariateNmtLaw.fit(r[0], r[1], r[2], ENCODER_REF, DECODER_REF);
        assertThat(fit.alpha()).isCloseTo(0.6, offset(0.05));
        assertThat(fit.encoderExponent()).isCloseTo(0.25, offset(0.04));
        assertThat(fit.decoderExponent()).isCloseTo(0.4, offset(0.04));
        assertThat(fit.lInf()).isCloseTo(1.2, offset(0.05));
    }

    @Test
    void noiseFreeRunsAreRecoveredExactlyAndPredicted() {
        double[][] r = runs(new Random(5), 0.6, 0.25, 0.4, 1.2, 0);
        BivariateNmtLaw fit = BivariateNmtLaw.fit(r[0], r[1], r[2], ENCODER_REF, DECODER_REF);
        assertThat(fit.alpha()).isCloseTo(0.6, offset(1e-5));
        assertThat(fit.encoderExponent()).isCloseTo(0.25, offset(1e-5));
        assertThat(fit.decoderExponent()).isCloseTo(0.4, offset(1e-5));
        assertThat(fit.lInf()).isCloseTo(1.2, offset(1e-5));
        assertThat(fit.predict(1e9, 3e8)).isCloseTo(0.6 * Math.pow(0.2, 0.25) * Math.pow(2.0 / 3, 0.4) + 1.2, offset(1e-5));
    }

    @Test
    void optimalSplitFollowsTheExponentRatio() {
        BivariateNmtLaw law = new BivariateNmtLaw(1, 0.2, 0.6, 1, 1e8, 1e8);
        assertThat(law.optimalEncoderFraction()).isCloseTo(0.25, offset(1e-12));
        // the loss along N_e + N_d = 4e8 is smallest at that split
        double best = Double.POSITIVE_INFINITY;
        double bestFraction = 0;
        for (int k = 1; k < 1000; k++) {
            double f = k / 1000.0;
            double l = law.predict(f * 4e8, (1 - f) * 4e8);
            if (l < best) {
                best = l;
                bestFraction = f;
            }
        }
        assertThat(bestFraction).isCloseTo(0.25, offset(1e-3));
    }

    @Test
    void bootstrapIntervalsCoverTheTruth() {
        double[][] r = runs(new Random(6), 0.6, 0.25, 0.4, 1.2, 0.003);
        ConfidenceIntervals ci = BivariateNmtLaw.bootstrap(r[0], r[1], r[2], ENCODER_REF, DECODER_REF, 40, 3, 0.95);
        double[] truth = {0.6, 0.25, 0.4, 1.2};
        for (int p = 0; p < 4; p++) {
            assertThat(truth[p]).as(ci.names().get(p)).isBetween(ci.lower()[p], ci.upper()[p]);
        }
    }

    @Test
    void rejectsBadRuns() {
        assertThatThrownBy(() -> BivariateNmtLaw.fit(new double[] {1, 2, 3}, new double[] {1, 2, 3}, new double[] {1, 2, 3}, 1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 4");
        assertThatThrownBy(() -> BivariateNmtLaw.fit(new double[] {1, 2, 3, 4}, new double[] {1, 2, 3}, new double[] {1, 2, 3, 4}, 1, 1))
                .hasMessageContaining("one of each");
        assertThatThrownBy(() -> new BivariateNmtLaw(1, 0, 1, 1, 1, 1)).hasMessageContaining("p_e");
    }
}

package io.github.lossforge.core.scaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

import java.util.Random;

class PowerLawPlusConstantTest {

    private static double[] logSpaced(double from, double to, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = Math.exp(Math.log(from) + (Math.log(to) - Math.log(from)) * i / (n - 1));
        }
        return x;
    }

    /** L∞ + (x0/x)^α written out with Math.pow. */
    private static double law(double lInf, double x0, double alpha, double x) {
        return lInf + Math.pow(x0 / x, alpha);
    }

    private static double cost(double lInf, double x0, double alpha, double[] x, double[] loss) {
        double c = 0;
        for (int i = 0; i < x.length; i++) {
            double r = law(lInf, x0, alpha, x[i]) - loss[i];
            c += r * r;
        }
        return c;
    }

    @Test
    void noiseFreePointsOfTheImage32PresetAreRecoveredExactly() {
        PowerLawPlusConstant preset = HenighanPreset.IMAGE_32X32.lossByParameters();
        double[] x = logSpaced(1e3, 1e11, 12);
        double[] loss = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            loss[i] = law(2.20, 6.3e1, 0.13, x[i]);
        }
        PowerLawPlusConstant fit = PowerLawPlusConstant.fit(x, loss);
        assertThat(fit.lInf()).isCloseTo(preset.lInf(), offset(1e-6));
        assertThat(fit.alpha()).isCloseTo(preset.alpha(), offset(1e-6));
        assertThat(fit.x0() / preset.x0()).isCloseTo(1, offset(1e-4));
    }

    @Test
    void knownParametersAreRecoveredFromNoisyPointsInEitherSpace() {
        Random rng = new Random(1);
        double[] x = logSpaced(1e3, 1e9, 25);
        double[] loss = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            loss[i] = law(1.5, 1e3, 0.3, x[i]) + 0.002 * rng.nextGaussian();
        }
        for (PowerLawPlusConstant.Space space : PowerLawPlusConstant.Space.values()) {
            PowerLawPlusConstant fit = PowerLawPlusConstant.fit(x, loss, space);
            assertThat(fit.lInf()).as("%s L∞", space).isCloseTo(1.5, offset(0.02));
            assertThat(fit.alpha()).as("%s α", space).isCloseTo(0.3, offset(0.03));
            assertThat(Math.log10(fit.x0())).as("%s log10 x0", space).isCloseTo(3, offset(0.3));
        }
    }

    @Test
    void fittedParametersAreAStationaryPointOfTheSquaredError() {
        Random rng = new Random(2);
        double[] x = logSpaced(1e2, 1e8, 15);
        double[] loss = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            loss[i] = law(0.8, 50, 0.25, x[i]) * (1 + 0.01 * rng.nextGaussian());
        }
        PowerLawPlusConstant fit = PowerLawPlusConstant.fit(x, loss);
        double base = cost(fit.lInf(), fit.x0(), fit.alpha(), x, loss);
        double[][] moves = {{1e-4, 0, 0}, {-1e-4, 0, 0}, {0, 1e-3, 0}, {0, -1e-3, 0}, {0, 0, 1e-4}, {0, 0, -1e-4}};
        for (double[] m : moves) {
            double moved = cost(fit.lInf() + m[0], fit.x0() * (1 + m[1]), fit.alpha() + m[2], x, loss);
            assertThat(moved).as("cost after moving by %s", java.util.Arrays.toString(m))
                    .isGreaterThanOrEqualTo(base * (1 - 1e-9));
        }
    }

    @Test
    void bootstrapIntervalsCoverTheTruthAndBracketTheEstimate() {
        Random rng = new Random(3);
        double[] x = logSpaced(1e3, 1e9, 20);
        double[] loss = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            loss[i] = law(1.5, 1e3, 0.3, x[i]) + 0.003 * rng.nextGaussian();
        }
        ConfidenceIntervals ci = PowerLawPlusConstant.bootstrap(x, loss, PowerLawPlusConstant.Space.LOSS, 60, 9, 0.95);
        double[] truth = {1.5, 1e3, 0.3};
        for (int p = 0; p < 3; p++) {
            assertThat(ci.lower()[p]).as(ci.names().get(p)).isLessThanOrEqualTo(ci.upper()[p]);
            assertThat(truth[p]).as(ci.names().get(p) + " truth in CI").isBetween(ci.lower()[p], ci.upper()[p]);
        }
        assertThat(ci.describe()).contains("Linf").contains("alpha").contains("95% CI");
    }

    @Test
    void presetsReproduceTableOne() {
        assertThat(HenighanPreset.IMAGE_32X32.lossByParameters().predict(6.3e1)).isCloseTo(3.20, offset(1e-12));
        assertThat(HenighanPreset.LANGUAGE.lossByParameters().predict(1.47e14)).isCloseTo(1.0, offset(1e-12));
        assertThat(HenighanPreset.MATH_EXTRAPOLATE.lossByCompute().lInf()).isEqualTo(0.14);
        assertThat(HenighanPreset.VIDEO_VQ_16X16X16.lossByParameters().alpha()).isEqualTo(0.24);
        assertThatThrownBy(() -> HenighanPreset.TEXT_TO_IMAGE_TEXT.lossByCompute())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("L(C)");
    }

    @Test
    void rejectsBadPoints() {
        assertThatThrownBy(() -> PowerLawPlusConstant.fit(new double[] {1, 2}, new double[] {3, 2}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 3");
        assertThatThrownBy(() -> PowerLawPlusConstant.fit(new double[] {1, 2, 3}, new double[] {3, 2}))
                .hasMessageContaining("one loss per size");
        assertThatThrownBy(() -> PowerLawPlusConstant.fit(new double[] {1, -2, 3}, new double[] {3, 2, 1}))
                .hasMessageContaining("point 1");
        assertThatThrownBy(() -> new PowerLawPlusConstant(1, 0, 0.1)).hasMessageContaining("x0 > 0");
        assertThatThrownBy(() -> PowerLawPlusConstant.bootstrap(new double[] {1, 2, 3}, new double[] {3, 2, 1},
                PowerLawPlusConstant.Space.LOSS, 5, 1, 0.9)).hasMessageContaining("10 resamples");
    }
}

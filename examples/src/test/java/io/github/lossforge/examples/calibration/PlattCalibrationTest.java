package io.github.lossforge.examples.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PlattCalibrationTest {

    @Test
    void expectedCalibrationErrorWeighsEachBinsGapByItsShare() {
        // bin [0.2, 0.3): p = 0.2, 0.2, labels 0, 1 -> |0.5 - 0.2| × 2/4; bin [0.9, 1]: p = 0.9, 0.9, labels 1, 1 -> 0.1 × 2/4
        double ece = PlattCalibration.expectedCalibrationError(new double[] {0.2, 0.2, 0.9, 0.9}, new double[] {0, 1, 1, 1});
        assertThat(ece).isCloseTo(0.3 * 0.5 + 0.1 * 0.5, within(1e-12));
    }

    @Test
    void calibrationErrorVanishesWhenEveryBinsMeanProbabilityIsItsFrequency() {
        assertThat(PlattCalibration.expectedCalibrationError(new double[] {0.5, 0.5, 1.0, 1.0},
                new double[] {1, 0, 1, 1})).isCloseTo(0, within(1e-12));
        assertThat(PlattCalibration.expectedCalibrationError(new double[] {1.0, 0.0}, new double[] {1, 0})).isZero();
    }

    @Test
    void negativeLogLikelihoodIsTheMeanBinaryCrossEntropy() {
        double nll = PlattCalibration.negativeLogLikelihood(new double[] {0.8, 0.25}, new double[] {1, 0});
        assertThat(nll).isCloseTo(-(Math.log(0.8) + Math.log(0.75)) / 2, within(1e-12));
    }
}

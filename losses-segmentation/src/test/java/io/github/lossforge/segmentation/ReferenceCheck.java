package io.github.lossforge.segmentation;

import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.testkit.Close;
import io.github.lossforge.core.testkit.Evaluation;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.Sample;
import io.github.lossforge.core.testkit.Stencil;

import java.util.function.ToDoubleFunction;

/**
 * Value and gradient of a loss against a float64 reference outside the contract's variants (paths
 * that take other inputs than the contract's samples, e.g. the binary Dice path).
 */
public final class ReferenceCheck {

    private ReferenceCheck() {}

    /**
     * Asserts that the loss's value and its gradient in predictions[0] match the reference (value) and
     * the reference's finite-difference gradient at 1e-6 relative, in float64.
     *
     * @param what a description for messages
     * @param loss the loss
     * @param s the input
     * @param reference the reference value of the reduced loss
     */
    public static void assertMatches(String what, BaseLoss loss, Sample s, ToDoubleFunction<Sample> reference) {
        Evaluation e = Evaluation.of(loss, s, DataType.FLOAT64);
        Close.assertClose(what + ": value", new double[] {e.scalar()},
                new double[] {reference.applyAsDouble(s)}, 1e-6);
        HostTensor p = s.prediction(0);
        double[] expected = Stencil.gradient(
                x -> reference.applyAsDouble(s.withPrediction(0, p.withData(x))), p.data(), 1e-4);
        Close.assertClose(what + ": gradient", e.gradient(0), expected, 1e-6);
    }

    /**
     * Like {@link #assertMatches} with the gradient compared at some entries only (for inputs too
     * large to differentiate the reference everywhere).
     *
     * @param what a description for messages
     * @param loss the loss
     * @param s the input
     * @param reference the reference value of the reduced loss
     * @param gradientRel the relative tolerance of the gradient entries: finite differences of a mean
     *     over n elements lose about log10(n) digits to rounding, so large inputs need more than 1e-6
     * @param entries flat indices into predictions[0]
     */
    public static void assertMatchesAt(String what, BaseLoss loss, Sample s, ToDoubleFunction<Sample> reference,
            double gradientRel, int... entries) {
        Evaluation e = Evaluation.of(loss, s, DataType.FLOAT64);
        Close.assertClose(what + ": value", new double[] {e.scalar()},
                new double[] {reference.applyAsDouble(s)}, 1e-6);
        HostTensor p = s.prediction(0);
        double[] x = p.data();
        double[] got = new double[entries.length];
        double[] expected = new double[entries.length];
        for (int k = 0; k < entries.length; k++) {
            int i = entries[k];
            double[] xi = {x[i]};
            expected[k] = Stencil.gradient(v -> {
                double[] probe = x.clone();
                probe[i] = v[0];
                return reference.applyAsDouble(s.withPrediction(0, p.withData(probe)));
            }, xi, 1e-4)[0];
            got[k] = e.gradient(0)[i];
        }
        Close.assertClose(what + ": gradient at entries " + java.util.Arrays.toString(entries), got, expected,
                gradientRel);
    }
}

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
}

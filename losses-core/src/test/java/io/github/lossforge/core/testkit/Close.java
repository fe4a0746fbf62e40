package io.github.lossforge.core.testkit;

import static org.assertj.core.api.Assertions.fail;

/**
 * Relative closeness of computed and reference values: every entry must satisfy {@code |a − e| ≤
 * rel·(|e| + floor)} with {@code floor = 1e-3·max|e| + 1e-12}, so near-zero entries of a vector are
 * judged on the vector's scale.
 */
public final class Close {

    private Close() {}

    /**
     * Asserts closeness.
     *
     * @param what what is compared, for the message
     * @param actual the computed values
     * @param expected the reference values
     * @param rel the relative tolerance
     */
    public static void assertClose(String what, double[] actual, double[] expected, double rel) {
        if (actual.length != expected.length) {
            fail(what + ": got " + actual.length + " values, expected " + expected.length);
        }
        double scale = 0;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        double floor = 1e-3 * scale + 1e-12;
        for (int i = 0; i < actual.length; i++) {
            double tol = rel * (Math.abs(expected[i]) + floor);
            if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
                fail(String.format(
                        "%s: entry %d is %.17g, expected %.17g (|diff| %.3g > tolerance %.3g)",
                        what, i, actual[i], expected[i], Math.abs(actual[i] - expected[i]), tol));
            }
        }
    }

    /**
     * Asserts every value is finite.
     *
     * @param what what is checked, for the message
     * @param values the values
     */
    public static void assertFinite(String what, double[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                fail(what + ": entry " + i + " is " + values[i] + ", expected a finite value");
            }
        }
    }
}

package io.github.lossforge.examples.support;

/**
 * The last line of every runnable example: {@code result: …}, the measurement that shows what the
 * example is about. When the run did not show it (the loss did not improve what it should), the line
 * is followed by a message on stderr and the process exits with status 1, so that CI notices.
 */
public final class ExampleResult {

    private ExampleResult() {
    }

    /**
     * Prints the result line and exits with status 1 when the effect was not shown.
     *
     * @param line what was measured, e.g. {@code accuracy 0.41 -> 0.93}
     * @param shown whether the measurement shows the example's claim
     * @param claim the claim, for the failure message
     */
    public static void report(String line, boolean shown, String claim) {
        System.out.println("result: " + line);
        System.out.flush();
        if (!shown) {
            System.err.println("the run did not show that " + claim);
            System.exit(1);
        }
    }
}

package io.github.lossforge.contrastive.retrieval;

import io.github.lossforge.core.testkit.Generators;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.LossContract.BadInput;
import io.github.lossforge.core.testkit.Sample;

import java.util.List;
import java.util.Random;

/** Inputs shared by the tests of the losses on (Q, K) scores with a positive mask. */
final class RetrievalSamples {

    private RetrievalSamples() {}

    /**
     * A 0/1 mask with positives drawn with probability p; row {@code emptyRow} (if ≥ 0) has none,
     * every other row at least one.
     */
    static HostTensor mask(Random rng, int rows, int columns, double p, int emptyRow) {
        double[] m = Generators.bernoulli(rng, p, rows, columns).data();
        for (int i = 0; i < rows; i++) {
            boolean any = false;
            for (int j = 0; j < columns; j++) {
                if (i == emptyRow) {
                    m[i * columns + j] = 0;
                }
                any |= m[i * columns + j] == 1;
            }
            if (!any && i != emptyRow) {
                m[i * columns + rng.nextInt(columns)] = 1;
            }
        }
        return HostTensor.floats(m, rows, columns);
    }

    /** The entries of row i where the mask is 1. */
    static boolean[] positives(HostTensor mask, int i) {
        int k = mask.dim(1);
        boolean[] out = new boolean[k];
        for (int j = 0; j < k; j++) {
            out[j] = mask.at(i * k + j) == 1;
        }
        return out;
    }

    /**
     * The mean of per-row values over the rows whose mask (label slot {@code maskSlot}) holds a
     * positive, 0 when none does: the {@code mean} of the losses that drop rows without positives.
     */
    static double meanOverRowsWithPositives(Sample s, double[] perRow, int maskSlot) {
        double total = 0;
        int kept = 0;
        for (int i = 0; i < perRow.length; i++) {
            for (boolean b : positives(s.label(maskSlot), i)) {
                if (b) {
                    total += perRow[i];
                    kept++;
                    break;
                }
            }
        }
        return kept == 0 ? 0 : total / kept;
    }

    /** Bad scores/mask pairs: rank, shape mismatch, a value other than 0/1, missing mask. */
    static List<BadInput> badInputs(Random rng, String scoreRole, String maskRole) {
        HostTensor scores = Generators.normal(rng, 1, 3, 4);
        HostTensor m = mask(rng, 3, 4, 0.4, -1);
        double[] two = m.data();
        two[1] = 2;
        return List.of(
                new BadInput("rank-1 scores", new Sample(List.of(m.reshape(12)), List.of(scores.reshape(12))),
                        "predictions[0] (" + scoreRole + ")", "(12)"),
                new BadInput("mask of another shape", new Sample(List.of(m.reshape(4, 3)), List.of(scores)),
                        "labels[0] (" + maskRole + ")", "(4, 3)", "(3, 4)"),
                new BadInput("mask value 2", new Sample(List.of(m.withData(two)), List.of(scores)),
                        "labels[0] (" + maskRole + ")", "0 and 1"),
                new BadInput("missing mask", new Sample(List.of(), List.of(scores)), "labels"));
    }
}

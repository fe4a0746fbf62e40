package io.github.lossforge.cli;

import ai.djl.training.util.ProgressBar;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of a training loop: DJL's {@link ProgressBar} (the bar {@code EasyTrain}'s logging listener
 * draws, redrawn in place with {@code \r}) when standard output is a terminal, and one plain line per
 * epoch otherwise, so that a log or a pipe gets readable lines instead of one endless line.
 */
abstract class TrainingProgress {

    /**
     * The progress display for this process: a bar on a terminal, lines elsewhere.
     *
     * @param out where the plain lines go
     * @return the display
     */
    static TrainingProgress forConsole(PrintWriter out) {
        // on Java 17 System.console() is null as soon as standard input or output is not a terminal
        return System.console() != null ? new Bar() : new Lines(out);
    }

    /**
     * An epoch starts.
     *
     * @param epoch its number, from 1
     * @param epochs how many there are
     * @param batches its batches
     */
    abstract void startEpoch(int epoch, int epochs, int batches);

    /**
     * A batch is done.
     *
     * @param batch how many batches of the epoch are done
     * @param meanLoss the epoch's running mean loss
     */
    abstract void batchDone(int batch, double meanLoss);

    /**
     * The epoch is done.
     *
     * @param meanLoss its mean loss
     */
    abstract void endEpoch(double meanLoss);

    static String epochLine(int epoch, int epochs, double meanLoss) {
        return String.format(Locale.ROOT, "epoch %d/%d  loss %.4f", epoch, epochs, meanLoss);
    }

    /** DJL's bar. */
    private static final class Bar extends TrainingProgress {
        private final ProgressBar bar = new ProgressBar();

        @Override
        void startEpoch(int epoch, int epochs, int batches) {
            bar.reset("epoch " + epoch + "/" + epochs, batches, "");
        }

        @Override
        void batchDone(int batch, double meanLoss) {
            // DJL counts from 0 and ends the line when the last batch reaches 100%
            bar.update(batch - 1L, String.format(Locale.ROOT, "loss %.4f", meanLoss));
        }

        @Override
        void endEpoch(double meanLoss) {
            bar.end();
        }
    }

    /** One line per epoch. */
    private static final class Lines extends TrainingProgress {
        private final PrintWriter out;
        private int epoch;
        private int epochs;

        Lines(PrintWriter out) {
            this.out = out;
        }

        @Override
        void startEpoch(int epoch, int epochs, int batches) {
            this.epoch = epoch;
            this.epochs = epochs;
        }

        @Override
        void batchDone(int batch, double meanLoss) {
            // nothing between epochs: a log gets one line per epoch
        }

        @Override
        void endEpoch(double meanLoss) {
            out.println(epochLine(epoch, epochs, meanLoss));
            out.flush();
        }
    }
}

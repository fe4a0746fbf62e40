package io.github.lossforge.core.testkit;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Provokes the failure {@link io.github.lossforge.core.Scalar} guards against: collects garbage so
 * that Java buffers wrapped by closed DJL arrays are freed, then allocates and fills many small
 * buffers so the freed memory is overwritten. A backward pass that still reads such memory then
 * produces visibly wrong gradients.
 */
public final class GarbageScrub {

    private static final List<ByteBuffer> FILLER = new ArrayList<>();

    private GarbageScrub() {}

    /** Runs the scrub. */
    public static void run() {
        for (int i = 0; i < 2; i++) {
            System.gc();
            try {
                Thread.sleep(15);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        FILLER.clear();
        for (int i = 0; i < 2000; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(8 * (1 + i % 16));
            while (b.hasRemaining()) {
                b.put((byte) 0x7f);
            }
            FILLER.add(b);
        }
    }
}

package io.github.lossforge.benchmarks;

import java.util.Locale;

/**
 * A benchmark shape of the linear cross-entropy: N tokens, hidden size D, vocabulary V (float32).
 *
 * @param n tokens
 * @param d hidden size
 * @param v vocabulary size
 */
public record CceShape(int n, int d, int v) {

    /** The main shape: the naive logits alone take 1 GiB. */
    public static final CceShape STANDARD = new CceShape(4096, 256, 65536);

    /** A shape whose naive logits (6 GiB) and the arrays naive builds from them do not fit in 24 GiB. */
    public static final CceShape LARGE = new CceShape(8192, 256, 196608);

    /**
     * Parses {@code NxDxV}, e.g. {@code 4096x256x65536}.
     *
     * @param text the shape
     * @return the shape
     */
    public static CceShape parse(String text) {
        String[] p = text.toLowerCase(Locale.ROOT).split("x");
        if (p.length != 3) {
            throw new IllegalArgumentException("shape must be NxDxV, got '" + text + "'");
        }
        return new CceShape(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]));
    }

    /**
     * Bytes of the unavoidable gradient buffers dE + dC in float32 (the paper's lower bound).
     *
     * @return N·D·4 + V·D·4
     */
    public long gradientBytes() {
        return 4L * n * d + 4L * v * d;
    }

    /**
     * Bytes of the materialised N×V float32 logits.
     *
     * @return N·V·4
     */
    public long logitBytes() {
        return 4L * n * v;
    }

    @Override
    public String toString() {
        return n + "x" + d + "x" + v;
    }
}

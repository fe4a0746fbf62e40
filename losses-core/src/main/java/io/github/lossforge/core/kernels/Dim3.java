package io.github.lossforge.core.kernels;

/**
 * A CUDA grid or block shape.
 *
 * @param x the first (fastest) dimension, ≥ 1
 * @param y the second, ≥ 1
 * @param z the third, ≥ 1
 */
public record Dim3(int x, int y, int z) {

    /**
     * Checks the sizes.
     *
     * @throws IllegalArgumentException for a size below 1
     */
    public Dim3 {
        if (x < 1 || y < 1 || z < 1) {
            throw new IllegalArgumentException("grid and block sizes must be ≥ 1, got (" + x + ", " + y + ", " + z + ")");
        }
    }

    /**
     * A one-dimensional shape.
     *
     * @param x the size
     * @return (x, 1, 1)
     */
    public static Dim3 of(int x) {
        return new Dim3(x, 1, 1);
    }

    /**
     * ⌈total / tile⌉ tiles, the grid size that covers {@code total} items.
     *
     * @param total items
     * @param tile items per tile
     * @return the number of tiles
     */
    public static int tiles(long total, int tile) {
        return Math.toIntExact((total + tile - 1) / tile);
    }
}

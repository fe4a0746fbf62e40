package io.github.lossforge.segmentation.overlap;

import io.github.lossforge.core.Choice;

/**
 * How {@link DiceLoss} and {@link TverskyLoss} aggregate their per-element terms, written as its word in the
 * registry ({@code aggregation}).
 */
public enum Aggregation implements Choice {
    /** The default: C = 1 takes {@link #BATCH} (Dice with setLevel = false: {@link #TOKEN}), C &gt; 1 {@link #TOKEN}. */
    AUTO,
    /** One fraction per token and class, summed over classes, reduced over tokens. */
    TOKEN,
    /** Per image and class over the spatial positions, then the mean over classes (MONAI's region Dice). */
    IMAGE,
    /** Per class over the whole batch, then the mean over classes: one value per batch (reduction mean only). */
    BATCH
}

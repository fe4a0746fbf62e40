/** Overlap losses for dense and token predictions: Dice, self-adjusting Dice, Tversky. */
package io.github.lossforge.segmentation.overlap;

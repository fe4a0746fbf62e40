/** Overlap losses for dense and token predictions: Dice, self-adjusting Dice, Tversky. */
@NullMarked
package io.github.lossforge.segmentation.overlap;

import org.jspecify.annotations.NullMarked;

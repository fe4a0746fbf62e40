/**
 * Dense-prediction and image losses, by family: {@code overlap} (Dice, self-adjusting Dice, Tversky),
 * {@code image} (SSIM, MS-SSIM), {@code pansharpening} (λ-PNN), {@code semisupervised} (TraCoCo's
 * CBC) and {@code topology} (Betti matching, the dimension-0 persistence loss).
 * {@link io.github.lossforge.segmentation.DenseSlots} holds the shape checks they share.
 */
@NullMarked
package io.github.lossforge.segmentation;

import org.jspecify.annotations.NullMarked;

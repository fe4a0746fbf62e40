/** Pansharpening losses: the unsupervised λ-PNN loss (R-ERGAS, D_λ and the structural loss). */
@NullMarked
package io.github.lossforge.segmentation.pansharpening;

import org.jspecify.annotations.NullMarked;

/** Pansharpening losses: the unsupervised λ-PNN loss (R-ERGAS, D_λ and the structural loss). */
package io.github.lossforge.segmentation.pansharpening;

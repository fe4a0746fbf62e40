/** Image-similarity losses: SSIM and multi-scale SSIM. */
package io.github.lossforge.segmentation.image;

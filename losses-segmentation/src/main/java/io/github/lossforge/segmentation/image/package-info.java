/** Image-similarity losses: SSIM and multi-scale SSIM. */
@NullMarked
package io.github.lossforge.segmentation.image;

import org.jspecify.annotations.NullMarked;

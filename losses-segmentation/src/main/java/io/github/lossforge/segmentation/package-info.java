/** Dense-prediction and image losses: Dice family, SSIM/MS-SSIM, pansharpening, CBC, topology (issue 8). */
package io.github.lossforge.segmentation;

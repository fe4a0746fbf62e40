/** Semi-supervised consistency losses between co-trained segmentation networks: TraCoCo's CBC. */
package io.github.lossforge.segmentation.semisupervised;

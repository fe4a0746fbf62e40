/** Semi-supervised consistency losses between co-trained segmentation networks: TraCoCo's CBC. */
@NullMarked
package io.github.lossforge.segmentation.semisupervised;

import org.jspecify.annotations.NullMarked;

/**
 * Topology losses on 2-D probability maps: Betti matching and the dimension-0 persistence loss, with
 * cubical persistence computed in Java.
 */
@NullMarked
package io.github.lossforge.segmentation.topology;

import org.jspecify.annotations.NullMarked;

/**
 * Topology losses on 2-D probability maps: Betti matching and the dimension-0 persistence loss, with
 * cubical persistence computed in Java.
 */
package io.github.lossforge.segmentation.topology;

/** Pair-based metric-learning losses on labelled embeddings: multi-similarity, triplet margin. */
@NullMarked
package io.github.lossforge.contrastive.pairs;

import org.jspecify.annotations.NullMarked;

/** Pair-based metric-learning losses on labelled embeddings: multi-similarity, triplet margin. */
package io.github.lossforge.contrastive.pairs;

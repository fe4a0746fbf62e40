/**
 * Metric-learning, self-supervised, retrieval, face and distillation losses (issues 6 and 7).
 *
 * <p>This root package holds the pair machinery every loss of the module is composed from, each
 * piece in one place: {@link io.github.lossforge.contrastive.PairMath} (unit rows, similarity and
 * distance matrices, label masks, masked log-sum-exp / softmax that stay finite on empty rows),
 * {@link io.github.lossforge.contrastive.Mining} (multi-similarity and batch-hard miners),
 * {@link io.github.lossforge.contrastive.BlockedSimilarity} (row-blocked evaluation with the
 * surrogate gradient, for batches whose similarity matrix does not fit),
 * {@link io.github.lossforge.contrastive.LabelledEmbeddings} (the checked (N, D) + (N) input) and
 * {@link io.github.lossforge.contrastive.KeptRows} (means over kept rows). The losses live in
 * family packages: {@code selfsupervised}, {@code pairs}, {@code retrieval}.
 */
@NullMarked
package io.github.lossforge.contrastive;

import org.jspecify.annotations.NullMarked;

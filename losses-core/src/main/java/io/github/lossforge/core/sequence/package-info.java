/**
 * Sequence-level losses (direct coverage optimisation, EnsLoss) and sequence log-probabilities.
 *
 * <p>Null-marked: nothing in this package takes or returns null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.github.lossforge.core.sequence;

import org.jspecify.annotations.NullMarked;

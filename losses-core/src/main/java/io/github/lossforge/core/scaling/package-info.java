/**
 * Scaling-law fits with bootstrap confidence intervals.
 *
 * <p>Null-marked: nothing in this package takes or returns null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.github.lossforge.core.scaling;

import org.jspecify.annotations.NullMarked;

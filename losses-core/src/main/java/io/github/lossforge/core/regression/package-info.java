/**
 * Regression losses: HL-Gauss and two-hot histograms, aggregate responses, Cauchy-Schwarz IB and weighted
 * decorrelation.
 *
 * <p>Null-marked: nothing in this package takes or returns null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.github.lossforge.core.regression;

import org.jspecify.annotations.NullMarked;

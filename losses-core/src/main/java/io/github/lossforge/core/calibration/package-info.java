/**
 * Calibration: Platt scaling and its loss.
 *
 * <p>Null-marked: nothing in this package takes or returns null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.github.lossforge.core.calibration;

import org.jspecify.annotations.NullMarked;

/**
 * Losses for unnormalised density models (compositional NLL).
 *
 * <p>Null-marked: nothing in this package takes or returns null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.github.lossforge.core.density;

import org.jspecify.annotations.NullMarked;

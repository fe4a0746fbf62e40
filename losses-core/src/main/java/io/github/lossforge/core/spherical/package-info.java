/**
 * The spherical-family Z-losses.
 *
 * <p>Null-marked: nothing in this package takes or returns null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.github.lossforge.core.spherical;

import org.jspecify.annotations.NullMarked;

/**
 * Face-recognition training demos.
 *
 * <p>Null-marked: nothing in this package takes or returns null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.github.lossforge.examples.face;

import org.jspecify.annotations.NullMarked;

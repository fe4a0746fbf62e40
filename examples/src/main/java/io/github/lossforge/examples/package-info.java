/**
 * The lossforge command line and the runnable training demos.
 *
 * <p>Null-marked: nothing in this package takes or returns null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.github.lossforge.examples;

import org.jspecify.annotations.NullMarked;

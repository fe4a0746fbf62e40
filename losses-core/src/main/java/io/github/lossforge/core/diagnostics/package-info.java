/**
 * Diagnostics and test-time tools: neural-collapse statistics, α-BN and the class-confusion loss.
 *
 * <p>Null-marked: nothing in this package takes or returns null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.github.lossforge.core.diagnostics;

import org.jspecify.annotations.NullMarked;

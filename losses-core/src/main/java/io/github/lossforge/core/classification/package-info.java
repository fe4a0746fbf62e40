/**
 * Classification losses: LDR-KL and ALDR-KL, comp-sum, AnyLoss, tri-BCE, multi-label, distillation and the spherical
 * Z-loss.
 *
 * <p>Null-marked: nothing in this package takes or returns null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.github.lossforge.core.classification;

import org.jspecify.annotations.NullMarked;

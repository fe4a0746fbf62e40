/**
 * Language-model losses: {@link io.github.lossforge.core.lm.CutCrossEntropyLoss} ({@code cce}), the
 * cross-entropy of a linear classifier head that never materialises the N×V logits.
 */
@NullMarked
package io.github.lossforge.core.lm;

import org.jspecify.annotations.NullMarked;

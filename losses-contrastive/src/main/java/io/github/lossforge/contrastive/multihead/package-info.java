/**
 * Multi-head contrastive learning (issue 7): {@link io.github.lossforge.contrastive.multihead.AmclLoss}
 * with its {@link io.github.lossforge.contrastive.multihead.AdaptiveTemperature} block.
 */
@NullMarked
package io.github.lossforge.contrastive.multihead;

import org.jspecify.annotations.NullMarked;

/**
 * Multi-head contrastive learning (issue 7): {@link io.github.lossforge.contrastive.multihead.AmclLoss}
 * with its {@link io.github.lossforge.contrastive.multihead.AdaptiveTemperature} block.
 */
package io.github.lossforge.contrastive.multihead;

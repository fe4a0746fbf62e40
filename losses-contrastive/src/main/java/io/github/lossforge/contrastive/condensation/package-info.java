/**
 * Dataset condensation (issue 7): {@link
 * io.github.lossforge.contrastive.condensation.GradientMatchingLoss}, the DC / DCC layer-wise
 * gradient matching; {@link io.github.lossforge.contrastive.condensation.CondensationStep}, one
 * outer update of the synthetic images through second-order gradients; and {@link
 * io.github.lossforge.contrastive.condensation.SecondOrderGradients}, the single adapter that runs
 * PyTorch's {@code create_graph} backward through DJL's {@code JniUtils}.
 */
@NullMarked
package io.github.lossforge.contrastive.condensation;

import org.jspecify.annotations.NullMarked;

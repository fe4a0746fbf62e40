/**
 * Dataset-condensation losses (issue 7): {@link
 * io.github.lossforge.contrastive.condensation.GradientMatchingLoss}, the DC / DCC layer-wise
 * gradient matching.
 */
package io.github.lossforge.contrastive.condensation;

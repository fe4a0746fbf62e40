/**
 * Hyperbolic geometry and losses (issue 7): the {@link
 * io.github.lossforge.contrastive.hyperbolic.PoincareBall} maps (Möbius addition, exponential and
 * logarithmic maps, distance, projection, all with clamped artanh/tanh arguments, and the Riemannian
 * gradient rescaling), the DJL blocks {@link io.github.lossforge.contrastive.hyperbolic.ToPoincare}
 * and {@link io.github.lossforge.contrastive.hyperbolic.HyperbolicMlr}, and the Hyp-OC losses
 * {@code hyp-pc} and {@code hyp-ce} built on them, with their pseudo-negative sampler.
 */
@NullMarked
package io.github.lossforge.contrastive.hyperbolic;

import org.jspecify.annotations.NullMarked;

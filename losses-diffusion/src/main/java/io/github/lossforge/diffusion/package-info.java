/**
 * Attention-map guidance losses for diffusion models and the latent-update loop (issue 9).
 *
 * <ul>
 *   <li>{@link io.github.lossforge.diffusion.AttentionSegregationLoss} ({@code astar-segregation}),
 *       {@link io.github.lossforge.diffusion.AttentionRetentionLoss} ({@code astar-retention}) and their
 *       sum {@link io.github.lossforge.diffusion.AStarLoss} ({@code astar});
 *   <li>{@link io.github.lossforge.diffusion.AttendExciteLoss} ({@code attend-excite});
 *   <li>{@link io.github.lossforge.diffusion.BoundaryConstrainedLayoutLoss} ({@code bacon});
 *   <li>{@link io.github.lossforge.diffusion.AttentionMaps}: aggregation over heads and layers, concept
 *       maps, binarisation, box rasterisation;
 *   <li>{@link io.github.lossforge.diffusion.LatentGuidance}: z ← z − α_t ∇_z L through any DJL block,
 *       with schedules and iterative refinement.
 * </ul>
 *
 * <p>The A-STAR and BACON losses run through fused kernels ({@code diffusion.kernel}) by default.
 */
@NullMarked
package io.github.lossforge.diffusion;

import org.jspecify.annotations.NullMarked;

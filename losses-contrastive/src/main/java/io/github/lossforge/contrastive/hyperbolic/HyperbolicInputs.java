package io.github.lossforge.contrastive.hyperbolic;

import ai.djl.ndarray.NDArray;
import io.github.lossforge.core.Slot;

/** Checks shared by the hyperbolic losses: points that must lie inside the Poincaré ball. */
final class HyperbolicInputs {

    private HyperbolicInputs() {}

    /**
     * Requires every row of a (R, d) slot to lie strictly inside the ball of radius \( 1/\sqrt c \)
     * (a value check of the {@link io.github.lossforge.core.Checks} policy).
     *
     * @param slot the slot, rank 2, finite
     * @param ball the ball
     * @return the slot
     * @throws IllegalArgumentException naming the slot and the largest norm found
     */
    static Slot requireInsideBall(Slot slot, PoincareBall ball) {
        return slot.requireValues(a -> new NDArray[] {PoincareBall.squaredNorm(a).max()},
                v -> ball.curvature() * v[0] < 1 ? null
                        : "has a row of norm " + Math.sqrt(v[0]) + ", expected points inside the Poincaré ball"
                                + " of curvature -" + ball.curvature() + " (norm < " + ball.radius()
                                + "); map raw features onto the ball first (PoincareBall.expMap0, then project)");
    }
}

package io.github.lossforge.contrastive.hyperbolic;

import io.github.lossforge.core.Slot;

/** Checks shared by the hyperbolic losses: points that must lie inside the Poincaré ball. */
final class HyperbolicInputs {

    private HyperbolicInputs() {}

    /**
     * Requires every row of a (R, d) slot to lie strictly inside the ball of radius \( 1/\sqrt c \).
     *
     * @param slot the slot, rank 2, finite
     * @param ball the ball
     * @return the slot
     * @throws IllegalArgumentException naming the slot and the largest norm found
     */
    static Slot requireInsideBall(Slot slot, PoincareBall ball) {
        double largest = PoincareBall.squaredNorm(slot.array()).max().toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
                .getDouble();
        if (!(ball.curvature() * largest < 1)) {
            throw slot.fail("has a row of norm " + Math.sqrt(largest) + ", expected points inside the Poincaré ball"
                    + " of curvature -" + ball.curvature() + " (norm < " + ball.radius()
                    + "); map raw features onto the ball first (PoincareBall.expMap0, then project)");
        }
        return slot;
    }
}

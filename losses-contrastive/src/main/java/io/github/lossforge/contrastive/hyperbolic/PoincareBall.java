package io.github.lossforge.contrastive.hyperbolic;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.Scalar;

/**
 * The Poincaré ball of curvature −c (c &gt; 0): the open ball \( \lVert x \rVert &lt; 1/\sqrt c \)
 * with the gyrovector operations of hyperbolic neural networks, acting on the last axis of arrays
 * that broadcast against each other.
 *
 * <ul>
 *   <li>Möbius addition \( x \oplus y = \frac{(1 + 2c\langle x,y\rangle + c\lVert y\rVert^2)\,x + (1 -
 *       c\lVert x\rVert^2)\,y}{1 + 2c\langle x,y\rangle + c^2 \lVert x\rVert^2 \lVert y\rVert^2} \);
 *   <li>conformal factor \( \lambda_x = 2 / (1 - c\lVert x\rVert^2) \);
 *   <li>exponential maps \( \exp_0(u) = \tanh(\sqrt c\lVert u\rVert)\, u/(\sqrt c\lVert u\rVert) \),
 *       \( \exp_x(u) = x \oplus \tanh(\sqrt c\,\lambda_x \lVert u\rVert/2)\, u/(\sqrt c\lVert
 *       u\rVert) \);
 *   <li>logarithmic maps \( \log_0(y) = \operatorname{artanh}(\sqrt c\lVert y\rVert)\, y/(\sqrt
 *       c\lVert y\rVert) \), \( \log_x(y) = \frac{2}{\sqrt c\,\lambda_x}
 *       \operatorname{artanh}(\sqrt c\lVert w\rVert)\, w/\lVert w\rVert \) with \( w = (-x) \oplus y
 *       \);
 *   <li>distance \( d_c(x, y) = \frac{2}{\sqrt c} \operatorname{artanh}(\sqrt c \lVert (-x) \oplus y
 *       \rVert) \);
 *   <li>projection: a point with \( \lVert x\rVert &gt; (1 - 10^{-3})/\sqrt c \) is rescaled to that
 *       norm.
 * </ul>
 *
 * <p>Guards, as hyptorch: every artanh argument is clamped to \( [-(1 - 10^{-5}), 1 - 10^{-5}] \),
 * every tanh argument to ±15. Differences from hyptorch ({@code hyptorch/pmath.py}): norms are
 * floored at \( 10^{-15} \) (hyptorch: \( 10^{-5} \)) and the Möbius denominator gets no added
 * \( 10^{-5} \) (it is positive for points of the ball), so the maps are exact inverses of each other
 * to float64 rounding instead of to \( 10^{-5} \). The PyTorch engine has no artanh; it comes from
 * {@link Numerics#clampedAtanh}.
 *
 * <p>Paper: Ganea, Bécigneul, Hofmann, "Hyperbolic Neural Networks", NeurIPS 2018, arXiv 1805.09112.
 */
public final class PoincareBall {

    /** Distance of the projection radius from the boundary, relative: \( (1 - 10^{-3})/\sqrt c \). */
    public static final double PROJECTION_EPS = 1e-3;

    /** Distance of every artanh argument from ±1. */
    public static final double ATANH_EPS = 1e-5;

    /** Bound of every tanh argument. */
    public static final double TANH_BOUND = 15;

    /** Bound of the asinh argument, whose square stays finite in float32. */
    private static final double ASINH_BOUND = 1e18;

    /** Floor of every norm that divides. */
    public static final double MIN_NORM = 1e-15;

    private final double c;
    private final double sqrtC;

    /**
     * A ball of curvature −c.
     *
     * @param c the curvature magnitude, finite and &gt; 0
     * @throws IllegalArgumentException for a bad c
     */
    public PoincareBall(double c) {
        if (!(c > 0) || Double.isInfinite(c)) {
            throw new IllegalArgumentException("Poincaré ball: curvature must be a finite number > 0, got " + c);
        }
        this.c = c;
        this.sqrtC = Math.sqrt(c);
    }

    /**
     * The curvature magnitude c.
     *
     * @return c
     */
    public double curvature() {
        return c;
    }

    /**
     * The radius \( 1/\sqrt c \) of the ball.
     *
     * @return the radius
     */
    public double radius() {
        return 1 / sqrtC;
    }

    /**
     * Möbius addition \( x \oplus y \).
     *
     * @param x (..., d) points of the ball
     * @param y (..., d) points of the ball, broadcasting against x
     * @return (..., d) the sum
     */
    public NDArray mobiusAdd(NDArray x, NDArray y) {
        NDArray xy = dot(x, y);
        NDArray x2 = squaredNorm(x);
        NDArray y2 = squaredNorm(y);
        NDArray twoCxy = Scalar.mul(xy, 2 * c);
        NDArray xFactor = twoCxy.add(Scalar.mul(y2, c)).add(1);
        NDArray yFactor = Scalar.mul(x2, -c).add(1);
        NDArray denominator = twoCxy.add(Scalar.mul(x2.mul(y2), c * c)).add(1);
        return x.mul(xFactor).add(y.mul(yFactor)).div(Scalar.max(denominator, MIN_NORM));
    }

    /**
     * The conformal factor \( \lambda_x = 2 / (1 - c\lVert x\rVert^2) \).
     *
     * @param x (..., d) points of the ball
     * @return (..., 1) factors
     */
    public NDArray conformalFactor(NDArray x) {
        return Scalar.of(x, 2).div(Scalar.max(Scalar.mul(squaredNorm(x), -c).add(1), MIN_NORM));
    }

    /**
     * The exponential map at the origin.
     *
     * @param u (..., d) tangent vectors at 0
     * @return (..., d) points of the ball
     */
    public NDArray expMap0(NDArray u) {
        NDArray norm = norm(u);
        NDArray scaled = Scalar.mul(norm, sqrtC);
        return u.mul(Scalar.min(scaled, TANH_BOUND).tanh().div(scaled));
    }

    /**
     * The exponential map at x.
     *
     * @param x (..., d) base points of the ball
     * @param u (..., d) tangent vectors at x
     * @return (..., d) points of the ball
     */
    public NDArray expMap(NDArray x, NDArray u) {
        NDArray norm = norm(u);
        NDArray argument = Scalar.mul(conformalFactor(x).mul(norm), sqrtC / 2);
        NDArray step = u.mul(Scalar.min(argument, TANH_BOUND).tanh().div(Scalar.mul(norm, sqrtC)));
        return mobiusAdd(x, step);
    }

    /**
     * The logarithmic map at the origin, the inverse of {@link #expMap0}.
     *
     * @param y (..., d) points of the ball
     * @return (..., d) tangent vectors at 0
     */
    public NDArray logMap0(NDArray y) {
        NDArray scaled = Scalar.mul(norm(y), sqrtC);
        return y.mul(Numerics.clampedAtanh(scaled, ATANH_EPS).div(scaled));
    }

    /**
     * The logarithmic map at x, the inverse of {@link #expMap}.
     *
     * @param x (..., d) base points of the ball
     * @param y (..., d) points of the ball
     * @return (..., d) tangent vectors at x
     */
    public NDArray logMap(NDArray x, NDArray y) {
        NDArray w = mobiusAdd(x.neg(), y);
        NDArray wNorm = norm(w);
        NDArray length = Numerics.clampedAtanh(Scalar.mul(wNorm, sqrtC), ATANH_EPS)
                .mul(Scalar.of(x, 2 / sqrtC).div(conformalFactor(x)));
        return w.mul(length.div(wNorm));
    }

    /**
     * The geodesic distance \( d_c(x, y) \).
     *
     * @param x (..., d) points of the ball
     * @param y (..., d) points of the ball, broadcasting against x
     * @return (...) distances (the last axis removed)
     */
    public NDArray distance(NDArray x, NDArray y) {
        return Scalar.mul(Numerics.clampedAtanh(Scalar.mul(mobiusNorm(x, y), sqrtC), ATANH_EPS), 2 / sqrtC);
    }

    /**
     * The norm \( \lVert (-x) \oplus y \rVert \) the distance is a function of (the {@code atan} form
     * of Hyp-PC uses it too).
     *
     * @param x (..., d) points of the ball
     * @param y (..., d) points of the ball
     * @return (...) norms (the last axis removed)
     */
    public NDArray mobiusNorm(NDArray x, NDArray y) {
        return norm(mobiusAdd(x.neg(), y)).squeeze(-1);
    }

    /**
     * Pulls points that reach beyond \( (1 - 10^{-3})/\sqrt c \) back to that radius.
     *
     * @param x (..., d) points
     * @return (..., d) points inside the ball
     */
    public NDArray project(NDArray x) {
        NDArray norm = norm(x);
        double limit = (1 - PROJECTION_EPS) / sqrtC;
        NDArray scaled = x.div(norm).mul(Scalar.of(x, limit));
        return NDArrays.where(norm.gt(limit).broadcast(x.getShape()), scaled, x);
    }

    /**
     * The identity whose backward pass multiplies the incoming gradient by the inverse Poincaré
     * metric, \( (1 - c\lVert y\rVert^2)^2 / 4 \), turning a Euclidean gradient into the Riemannian
     * one (hyptorch's {@code RiemannianGradient}). DJL has no custom autograd function, so it is the
     * surrogate \( \mathrm{sg}(y) + (y - \mathrm{sg}(y)) \cdot \mathrm{sg}(s) \): the value is y, the
     * gradient is scaled by s.
     *
     * @param y (..., d) points of the ball
     * @return (..., d) the same values with the rescaled gradient
     */
    public NDArray withRiemannianGradient(NDArray y) {
        NDArray detached = y.stopGradient();
        NDArray scale = Scalar.mul(Scalar.mul(squaredNorm(detached), -c).add(1).square(), 0.25);
        return detached.add(y.sub(detached).mul(scale));
    }

    /**
     * Inverse hyperbolic sine, \( \operatorname{asinh}(x) = \operatorname{sign}(x)
     * \log(1 + |x| + x^2/(1 + \sqrt{1 + x^2})) \) (the PyTorch engine has none): accurate near 0,
     * finite for |x| up to \( 10^{18} \) in float32, odd, with slope 1 at 0.
     *
     * @param x the input
     * @return asinh(x)
     */
    public static NDArray asinh(NDArray x) {
        // clamp (not max) keeps the slope 1 at exactly 0, where max would split it between branches.
        NDArray positive = positiveAsinh(Scalar.clamp(x, 0, ASINH_BOUND));
        NDArray negative = positiveAsinh(Scalar.clamp(x.neg(), 0, ASINH_BOUND));
        return NDArrays.where(x.gte(0), positive, negative.neg());
    }

    private static NDArray positiveAsinh(NDArray t) {
        NDArray t2 = t.square();
        return Numerics.log1p(t.add(t2.div(t2.add(1).sqrt().add(1))));
    }

    /**
     * Inner products along the last axis.
     *
     * @param x (..., d)
     * @param y (..., d)
     * @return (..., 1)
     */
    static NDArray dot(NDArray x, NDArray y) {
        return x.mul(y).sum(new int[] {-1}, true);
    }

    /**
     * Squared norms along the last axis.
     *
     * @param x (..., d)
     * @return (..., 1)
     */
    static NDArray squaredNorm(NDArray x) {
        return x.square().sum(new int[] {-1}, true);
    }

    /**
     * Norms along the last axis, floored at {@link #MIN_NORM} (a zero vector has norm 10⁻¹⁵ and a
     * zero gradient through it).
     *
     * @param x (..., d)
     * @return (..., 1)
     */
    static NDArray norm(NDArray x) {
        return Scalar.max(squaredNorm(x), MIN_NORM * MIN_NORM).sqrt();
    }
}

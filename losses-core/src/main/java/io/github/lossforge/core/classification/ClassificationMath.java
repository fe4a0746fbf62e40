package io.github.lossforge.core.classification;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.Scalar;

/**
 * The math the classification and calibration losses share, written once: the comp-sum member
 * ℓ_τ (comp-sum, adv-comp-sum), the L1-mean score normalisation and the margin-shifted log-mean-exp
 * of the LDR family (ldr-kl, aldr-kl), binary cross-entropy with logits (makd, tri-bce,
 * hybrid-multilabel, platt), and a Euclidean norm whose gradient stays finite at 0 (adv-comp-sum and
 * its PGD helper, hybrid-multilabel).
 */
public final class ClassificationMath {

    /** The smallest mean |score| {@link #l1MeanNormalized} divides by. */
    public static final double MIN_SCORE_SCALE = 1e-12;

    private ClassificationMath() {}

    /**
     * The comp-sum loss ℓ_τ per row: \( (p_y^{\tau-1} - 1)/(1 - \tau) \), and \( -\log p_y \) for τ =
     * 1, computed as {@code cappedExpm1((τ − 1) log p_y) / (1 − τ)} from the native log-softmax (see
     * {@link CompSumLoss} for the cap beyond {@link Numerics#EXP_CAP}).
     *
     * @param logits (N, C) logits
     * @param target (N) validated class indices
     * @param tau τ ≥ 0
     * @return (N) loss values
     */
    public static NDArray compSum(NDArray logits, NDArray target, double tau) {
        NDArray logPy = Numerics.logProbabilityOf(logits, target);
        if (tau == 1.0) {
            return logPy.neg();
        }
        return Scalar.div(Numerics.cappedExpm1(Scalar.mul(logPy, tau - 1)), 1 - tau);
    }

    /**
     * The margin violations of the LDR family: \( \delta_{k,y} + z_k - z_y \) with \( \delta_{k,y}
     * = c \cdot 1[k \ne y] \) (0 at k = y).
     *
     * @param scores (N, C) scores z
     * @param target (N) validated class indices
     * @param margin the margin c
     * @return (N, C) margin-shifted scores
     */
    public static NDArray marginShiftedScores(NDArray scores, NDArray target, double margin) {
        // (h_k − h_y + c) everywhere, then the target entry set to 0 by a scatter: no (N, C) one-hot
        NDArray at = target.toType(DataType.INT64, false).reshape(-1, 1);
        NDArray targetScore = scores.gather(at, 1);
        NDArray shifted = scores.sub(targetScore).add(Scalar.of(scores, margin));
        return shifted.scatter(at, targetScore.zerosLike(), 1);
    }

    /**
     * The margin vector of each row, \( \bar\Delta(h, y) = (h_k - h_y)_{k=1..C} \) (entry y is 0).
     *
     * @param scores (N, C) scores h
     * @param target (N) validated class indices
     * @return (N, C) margin vectors
     */
    public static NDArray marginVectors(NDArray scores, NDArray target) {
        return scores.sub(Numerics.gatherRows(scores, target).expandDims(1));
    }

    /**
     * Scores divided by their mean absolute value over the classes, \( z = f / (\|f\|_1 / C) \), the
     * normalisation of the official LDR/ALDR code (applied after a softplus for its softplus variants).
     * The mean is clamped at {@link #MIN_SCORE_SCALE} so an all-zero row stays finite (the official code
     * divides by zero there).
     *
     * @param scores (N, C) scores
     * @return (N, C) normalised scores
     */
    public static NDArray l1MeanNormalized(NDArray scores) {
        return scores.div(Scalar.max(scores.abs().mean(new int[] {1}, true), MIN_SCORE_SCALE));
    }

    /**
     * The KL-regularised LDR value per row: \( \lambda \log\big(\frac{1}{C}\sum_k e^{m_k /
     * \lambda}\big) \).
     *
     * @param shifted (N, C) margin-shifted scores m
     * @param lambda λ &gt; 0: a 0-dimensional array (one λ for all rows) or (N) (one per row)
     * @return (N) values
     */
    public static NDArray lambdaLogMeanExp(NDArray shifted, NDArray lambda) {
        NDArray column = lambda.getShape().dimension() == 0 ? lambda : lambda.reshape(-1, 1);
        return Numerics.logMeanExp(shifted.div(column), 1).mul(lambda);
    }

    /**
     * Binary cross-entropy with logits against (possibly soft) targets, elementwise: \( -t \log
     * \sigma(x) - (1 - t) \log(1 - \sigma(x)) = \mathrm{softplus}(x) - t x \), stable for any finite x.
     *
     * @param logits the logits
     * @param targets targets in [0, 1], same shape
     * @return the elementwise loss
     */
    public static NDArray bceWithLogits(NDArray logits, NDArray targets) {
        return Numerics.softplus(logits).sub(logits.mul(targets));
    }

    /**
     * The Euclidean norm over the last axis, \( \sqrt{\sum_k x_k^2} \), whose gradient at x = 0 is 0
     * (a subgradient) instead of NaN: the square root only ever sees a positive argument.
     *
     * @param x (…, K) values
     * @return (…) norms
     */
    public static NDArray safeNorm(NDArray x) {
        return safeSqrt(x.square().sum(new int[] {-1}));
    }

    /**
     * \( \sqrt{s} \) of non-negative values whose gradient at s = 0 is 0 instead of infinite: the
     * square root only ever sees a positive argument.
     *
     * @param squared values ≥ 0
     * @return their square roots
     */
    public static NDArray safeSqrt(NDArray squared) {
        NDArray positive = squared.gt(0);
        NDArray root = NDArrays.where(positive, squared, squared.onesLike()).sqrt();
        return NDArrays.where(positive, root, squared.zerosLike());
    }
}

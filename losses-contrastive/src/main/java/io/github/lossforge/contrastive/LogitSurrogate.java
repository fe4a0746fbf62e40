package io.github.lossforge.contrastive;

import ai.djl.ndarray.NDArray;
import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Surrogate;

import org.jspecify.annotations.Nullable;

/**
 * Attaches closed-form gradients to a logit matrix L for losses whose sample n reads row n of L and,
 * in the symmetric (two-direction) form, column n: the value and the gradient are computed on
 * detached arrays and {@link Surrogate} hands autograd only the product L ⊙ G, so the backward pass
 * is that product and the matrix product that made L.
 */
public final class LogitSurrogate {

    private LogitSurrogate() {}

    /**
     * Per-sample values with their gradients attached to L.
     *
     * <p>With a mean or sum reduction every sample's value is weighted alike, so the row and column
     * gradients are added into one (N, M) gradient on L; with none (per-sample values the caller may
     * weigh as it likes) each sample keeps its own row of L and its own row of Lᵀ.
     *
     * @param values (N) values, detached
     * @param logits (N, M) the logits, recorded by autograd
     * @param rows (N, M) ∂value_n/∂L_n· in row n, detached; updated in place
     * @param columns (M, N) with M = N, ∂value_n/∂L_·n in row n, detached, or null when no value
     *     reads a column
     * @param reduction the loss's reduction
     * @return the values, carrying the gradients
     */
    public static NDArray attach(NDArray values, NDArray logits, NDArray rows, @Nullable NDArray columns,
            Reduction reduction) {
        if (columns == null) {
            return Surrogate.attach(values, logits, rows);
        }
        if (reduction != Reduction.NONE) {
            return Surrogate.attach(values, logits, rows.addi(columns.transpose()));
        }
        return Surrogate.attach(values, new NDArray[] {logits, logits.transpose()}, new NDArray[] {rows, columns});
    }

    /**
     * Whether a gradient may be attached to the embeddings of a Gram matrix \( L = c\,ZZ^\top \)
     * instead of to L: with a mean or sum reduction every sample is weighted alike, so the sum of the
     * samples' gradients is all autograd needs, and \( \partial/\partial Z = c\,(G + G^\top) Z \) is
     * one matrix product where autograd's backward of \( ZZ^\top \) takes two.
     *
     * @param reduction the loss's reduction
     * @return true unless per-sample values are returned
     */
    public static boolean gramAttachable(Reduction reduction) {
        return reduction != Reduction.NONE;
    }

    /**
     * \( c\,(G + G^\top) Z \), the gradient with respect to Z of \( \sum G \odot c\,ZZ^\top \).
     *
     * @param gradient (M, M) ∂/∂L, detached; closed here
     * @param z (M, D) the embeddings, detached
     * @param scale c
     * @return (M, D)
     */
    public static NDArray gramGradient(NDArray gradient, NDArray z, double scale) {
        NDArray symmetric = gradient.add(gradient.transpose());
        gradient.close();
        NDArray g = symmetric.matMul(scale == 1 ? z : Scalar.mul(z, scale));
        symmetric.close();
        return g;
    }
}

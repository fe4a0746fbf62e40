/**
 * Face-recognition losses (issue 7): the additive-margin softmax heads ArcFace and CosFace
 * ({@link io.github.lossforge.contrastive.face.MarginSoftmaxLoss}), UNPG's head with filtered
 * embedding-pair negatives ({@link io.github.lossforge.contrastive.face.UnpgLoss}) and the SymFace
 * half-face symmetry term ({@link io.github.lossforge.contrastive.face.SymFaceLoss}), reading the
 * (N, D) + (C, D) + (N) input of the heads through one checked record and building on the module's
 * pair machinery.
 */
@NullMarked
package io.github.lossforge.contrastive.face;

import org.jspecify.annotations.NullMarked;

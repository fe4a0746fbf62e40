/**
 * Face-recognition losses (issue 7): the additive-margin softmax heads ArcFace and CosFace
 * ({@link io.github.lossforge.contrastive.face.MarginSoftmaxLoss}), reading their (N, D) + (C, D) +
 * (N) input through one checked record and building on the module's pair machinery.
 */
package io.github.lossforge.contrastive.face;

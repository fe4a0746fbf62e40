/** Self-supervised and cross-modal contrastive losses on two views or two modalities: InfoNCE, NT-Xent. */
package io.github.lossforge.contrastive.selfsupervised;

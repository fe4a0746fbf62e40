/** Self-supervised and cross-modal contrastive losses on two views or two modalities: InfoNCE, NT-Xent, Barlow Twins, CWCL. */
package io.github.lossforge.contrastive.selfsupervised;

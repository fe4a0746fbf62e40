/** Self-supervised and cross-modal contrastive losses on two views or two modalities: InfoNCE, NT-Xent, Barlow Twins, CWCL. */
@NullMarked
package io.github.lossforge.contrastive.selfsupervised;

import org.jspecify.annotations.NullMarked;

/** Metrix: metric learning on mixed (soft) labels, and the mixup helper that builds mixed batches. */
package io.github.lossforge.contrastive.mixup;

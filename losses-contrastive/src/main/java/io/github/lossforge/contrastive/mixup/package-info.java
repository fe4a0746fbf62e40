/** Metrix: metric learning on mixed (soft) labels, and the mixup helper that builds mixed batches. */
@NullMarked
package io.github.lossforge.contrastive.mixup;

import org.jspecify.annotations.NullMarked;

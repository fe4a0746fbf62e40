/** Metric-learning, self-supervised, retrieval, face and distillation losses (issues 6 and 7). */
package io.github.lossforge.contrastive;

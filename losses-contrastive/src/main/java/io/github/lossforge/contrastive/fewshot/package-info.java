/**
 * Few-shot losses (issue 7) on episodes of support and query embeddings: {@link
 * io.github.lossforge.contrastive.fewshot.ProtoTripletLoss} and {@link
 * io.github.lossforge.contrastive.fewshot.IcnnLoss} of "SuSana Distancia is all you need", reading
 * their input through one checked episode record.
 */
@NullMarked
package io.github.lossforge.contrastive.fewshot;

import org.jspecify.annotations.NullMarked;

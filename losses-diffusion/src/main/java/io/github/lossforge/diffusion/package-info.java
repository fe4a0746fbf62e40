/** Attention-map guidance losses and the latent-update loop (issue 9). */
package io.github.lossforge.diffusion;

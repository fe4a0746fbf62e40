/**
 * JMH suites, the memory probes and the report writers. Every figure is a ratio against a baseline
 * measured in the same run; each measurement runs in its own JVM ({@link
 * io.github.lossforge.benchmarks.ChildJvm}). Suites: Cut Cross-Entropy ({@link
 * io.github.lossforge.benchmarks.CceBench}, {@code lossforge bench cce}) and the contrastive chunked
 * memory, Betti-matching timing and diffusion fused-kernel suites ({@link
 * io.github.lossforge.benchmarks.SuiteBench}, {@code lossforge bench contrastive-chunked |
 * betti-matching | diffusion-fused}).
 */
@NullMarked
package io.github.lossforge.benchmarks;

import org.jspecify.annotations.NullMarked;

/**
 * JMH suites, the memory probe and the report writer. Every figure is a ratio against a baseline
 * measured in the same run; each measurement runs in its own JVM. The Cut Cross-Entropy suite:
 * {@link io.github.lossforge.benchmarks.CceBench} (also {@code lossforge bench cce}).
 */
package io.github.lossforge.benchmarks;

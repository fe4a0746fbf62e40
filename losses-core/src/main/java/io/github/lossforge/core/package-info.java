/**
 * The base class every loss extends ({@link io.github.lossforge.core.BaseLoss}), the registry
 * ({@link io.github.lossforge.core.Losses}), parameter specs, choice options ({@link io.github.lossforge.core.Choice}),
 * slot checks, dtype policy and the numerics helpers.
 *
 * <p>Null-marked: nothing in this package takes or returns null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.github.lossforge.core;

import org.jspecify.annotations.NullMarked;

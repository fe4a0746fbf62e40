/**
 * The adapter to DJL engine internals: {@link io.github.lossforge.core.engine.PtEngineAdapter} is the
 * only class in LossForge that touches anything outside DJL's public API.
 */
@NullMarked
package io.github.lossforge.core.engine;

import org.jspecify.annotations.NullMarked;

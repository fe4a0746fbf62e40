/**
 * The adapter to DJL engine internals: {@link io.github.lossforge.core.engine.PtEngineAdapter} is the
 * only class in LossForge that touches anything outside DJL's public API.
 */
package io.github.lossforge.core.engine;

/**
 * Fused kernels behind one small interface: a loss asks {@link io.github.lossforge.core.kernels.Kernels}
 * for a kernel for the device of its inputs and never learns whether it runs as blocked engine
 * operations (the portable path, any device) or as a device-specific implementation registered
 * through {@link java.util.ServiceLoader}.
 */
@NullMarked
package io.github.lossforge.core.kernels;

import org.jspecify.annotations.NullMarked;

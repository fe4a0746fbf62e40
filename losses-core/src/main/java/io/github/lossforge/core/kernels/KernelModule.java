package io.github.lossforge.core.kernels;

import java.io.IOException;
import java.io.InputStream;

/**
 * A set of CUDA kernels compiled from one {@code .cu} file: on a GPU the PTX shipped as the resource
 * {@code /lossforge/cuda/<name>.ptx} of the owner's jar, under emulation the library {@code
 * lib<name>_emu.so} built from the same file by g++.
 *
 * @param name the file's base name, e.g. {@code cce}
 * @param owner a class of the jar that ships the PTX
 */
public record KernelModule(String name, Class<?> owner) {

    /**
     * The resource path of the PTX.
     *
     * @return {@code /lossforge/cuda/<name>.ptx}
     */
    public String ptxResource() {
        return "/lossforge/cuda/" + name + ".ptx";
    }

    /**
     * The PTX text, NUL-terminated as {@code cuModuleLoadData} wants it.
     *
     * @return the bytes
     * @throws IllegalStateException when the jar lacks the resource
     */
    public byte[] ptxImage() {
        try (InputStream in = owner.getResourceAsStream(ptxResource())) {
            if (in == null) {
                throw new IllegalStateException("the PTX resource " + ptxResource() + " is missing from "
                        + owner.getName() + "'s jar");
            }
            byte[] text = in.readAllBytes();
            byte[] image = new byte[text.length + 1];
            System.arraycopy(text, 0, image, 0, text.length);
            return image;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + ptxResource(), e);
        }
    }

    /**
     * The file name of the emulated library.
     *
     * @return {@code lib<name>_emu.so}
     */
    public String emulationLibrary() {
        return "lib" + name + "_emu.so";
    }
}

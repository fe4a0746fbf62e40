package io.github.lossforge.segmentation.image;

import io.github.lossforge.core.BaseLoss;

/**
 * The options SSIM and MS-SSIM share: the data range L, the Gaussian window (taps, σ) and the
 * stabilising constants C1 = (K1 L)², C2 = (K2 L)².
 *
 * @param <B> the concrete builder type
 */
public abstract class SsimWindowBuilder<B extends SsimWindowBuilder<B>> extends BaseLoss.Builder<B> {

    private double dataRange = 1.0;
    private int window = 11;
    private double sigma = 1.5;
    private double k1 = 0.01;
    private double k2 = 0.03;

    SsimWindowBuilder() {}

    /**
     * Sets the dynamic range L of the images.
     *
     * @param dataRange &gt; 0 (default 1.0)
     * @return this
     */
    public B optDataRange(double dataRange) {
        this.dataRange = dataRange;
        return self();
    }

    /**
     * Sets the number of Gaussian taps.
     *
     * @param window odd (default 11)
     * @return this
     */
    public B optWindow(int window) {
        this.window = window;
        return self();
    }

    /**
     * Sets the Gaussian's standard deviation.
     *
     * @param sigma &gt; 0 (default 1.5)
     * @return this
     */
    public B optSigma(double sigma) {
        this.sigma = sigma;
        return self();
    }

    /**
     * Sets K1 of C1 = (K1 L)².
     *
     * @param k1 &gt; 0 (default 0.01)
     * @return this
     */
    public B optK1(double k1) {
        this.k1 = k1;
        return self();
    }

    /**
     * Sets K2 of C2 = (K2 L)².
     *
     * @param k2 &gt; 0 (default 0.03)
     * @return this
     */
    public B optK2(double k2) {
        this.k2 = k2;
        return self();
    }

    /**
     * Checks the options and derives the window taps and constants.
     *
     * @param id the loss id, for messages
     * @return the window
     */
    SsimWindow window(String id) {
        SsimMath.requireOptions(id, dataRange, window, sigma, k1, k2);
        return new SsimWindow(window, SsimMath.gaussian(window, sigma),
                Math.pow(k1 * dataRange, 2), Math.pow(k2 * dataRange, 2));
    }

    /**
     * The checked window of an SSIM-family loss.
     *
     * @param size the number of taps
     * @param taps the normalised 1-D Gaussian
     * @param c1 (K1 L)²
     * @param c2 (K2 L)²
     */
    record SsimWindow(int size, double[] taps, double c1, double c2) {}
}

package io.github.lossforge.core.scaling;

/**
 * The fitted laws of Henighan et al. 2020, Table 1, as {@link PowerLawPlusConstant}s: L(N) over
 * non-embedding parameters N and L(C) over compute C in PF-days, losses in nats per token. Rows
 * without an irreducible term (language, the text losses of the multimodal models) have L∞ = 0; the
 * text rows of the multimodal models have no L(C) of their own (the paper fits the combined loss).
 *
 * <p>Paper: Tom Henighan et al., "Scaling Laws for Autoregressive Generative Modeling", 2020, arXiv
 * 2010.14701, Table 1 (transcribed from the paper's text; the language L(C) comes from GPT-3).
 */
public enum HenighanPreset {
    /** Language. */
    LANGUAGE("Language", 0, 1.47e14, 0.070, 0, 3.47e8, 0.048),
    /** Image 8x8. */
    IMAGE_8X8("Image 8x8", 3.12, 8.0e1, 0.24, 3.13, 1.8e-8, 0.19),
    /** Image 16x16. */
    IMAGE_16X16("Image 16x16", 2.64, 2.8e2, 0.22, 2.64, 1.6e-8, 0.16),
    /** Image 32x32. */
    IMAGE_32X32("Image 32x32", 2.20, 6.3e1, 0.13, 2.21, 3.6e-9, 0.1),
    /** Image VQ 16x16. */
    IMAGE_VQ_16X16("Image VQ 16x16", 3.99, 2.7e4, 0.13, 4.09, 6.1e-7, 0.11),
    /** Image VQ 32x32. */
    IMAGE_VQ_32X32("Image VQ 32x32", 3.07, 1.9e4, 0.14, 3.17, 2.6e-6, 0.12),
    /** Text-to-image, the text loss (no separate L(C)). */
    TEXT_TO_IMAGE_TEXT("Text-to-Im (Text)", 0, 5.6e8, 0.037, Double.NaN, Double.NaN, Double.NaN),
    /** Text-to-image, the image loss. */
    TEXT_TO_IMAGE_IMAGE("Text-to-Im (Image)", 2.0, 5.1e3, 0.16, 1.93, 1.5e-6, 0.15),
    /** Image-to-text, the text loss (no separate L(C)). */
    IMAGE_TO_TEXT_TEXT("Im-to-Text (Text)", 0, 7.0e8, 0.039, Double.NaN, Double.NaN, Double.NaN),
    /** Image-to-text, the row the table labels "(Image)". */
    IMAGE_TO_TEXT_IMAGE("Im-to-Text (Image)", 2.0, 5.5e3, 0.15, 1.97, 1.5e-6, 0.16),
    /** Video VQ 16x16x16. */
    VIDEO_VQ_16X16X16("Video VQ 16x16x16", 1.01, 3.7e4, 0.24, 0.95, 2.2e-5, 0.14),
    /** Math (extrapolate). */
    MATH_EXTRAPOLATE("Math (Extrapolate)", 0.28, 1.1e4, 0.16, 0.14, 1.4e-5, 0.17);

    private final String domain;
    private final double[] byParameters;
    private final double[] byCompute;

    HenighanPreset(String domain, double lInfN, double n0, double alphaN, double lInfC, double c0, double alphaC) {
        this.domain = domain;
        this.byParameters = new double[] {lInfN, n0, alphaN};
        this.byCompute = new double[] {lInfC, c0, alphaC};
    }

    /**
     * The row's name as the table writes it.
     *
     * @return e.g. {@code Image 32x32}
     */
    public String domain() {
        return domain;
    }

    /**
     * L(N): loss over non-embedding parameters.
     *
     * @return the law
     */
    public PowerLawPlusConstant lossByParameters() {
        return new PowerLawPlusConstant(byParameters[0], byParameters[1], byParameters[2]);
    }

    /**
     * L(C): loss over compute in PF-days.
     *
     * @return the law
     * @throws IllegalStateException for the text rows of the multimodal models, which have none
     */
    public PowerLawPlusConstant lossByCompute() {
        if (Double.isNaN(byCompute[0])) {
            throw new IllegalStateException(domain + ": Henighan et al. give no separate L(C) for this loss");
        }
        return new PowerLawPlusConstant(byCompute[0], byCompute[1], byCompute[2]);
    }
}

package io.github.lossforge.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.diffusion.AttentionMaps;
import io.github.lossforge.diffusion.BoundaryConstrainedLayoutLoss;
import io.github.lossforge.diffusion.LatentGuidance;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Layout guidance on a tiny attention "UNet": a latent of H·W pixel features goes through a frozen
 * linear query projection; cross-attention against fixed token keys (a start token and two concepts)
 * gives the concept maps, self-attention of the queries gives the pixel-to-pixel attention. {@link
 * LatentGuidance} moves the latent along −∇ of {@code bacon} toward a two-box layout (concept 1 left,
 * concept 2 right); the demo reports each concept's attention mass inside its box before and after,
 * and draws the maps and the loss curve (XChart).
 */
final class GuideDemo {

    /** Map side. */
    static final int SIDE = 16;

    private static final int FEATURES = 8;
    private static final int KEY_DIM = 8;
    private static final int TOKENS = 3;

    /** The two-box layout: {x0, y0, x1, y1} in image fractions. */
    static final double[][] BOXES = {{0.05, 0.15, 0.45, 0.85}, {0.55, 0.15, 0.95, 0.85}};

    /** The size of one heat map in the picture. */
    static final int MAP_PIXELS = 320;

    /**
     * The inside-box mass of each concept before and after guidance, and the loss trajectory.
     *
     * @param before Σ M_k A_k / Σ A_k per concept, before (raw cross-attention)
     * @param after the same after guidance
     * @param alignedBefore the same for the self-attention-aligned maps the loss constrains, before
     * @param alignedAfter the same, after
     * @param firstLoss the loss at the first step
     * @param lastLoss the loss at the last guided step
     */
    record Outcome(double[] before, double[] after, double[] alignedBefore, double[] alignedAfter,
            double firstLoss, double lastLoss) {}

    private GuideDemo() {}

    /**
     * Runs the demo.
     *
     * @param steps guided steps
     * @param stepSize α (constant)
     * @param seed initialisation seed
     * @param png where the picture goes (its folder is created)
     * @param out where the report goes
     * @return what happened
     * @throws IOException when the picture cannot be written
     */
    static Outcome run(int steps, double stepSize, long seed, Path png, PrintWriter out) throws IOException {
        Engine.getInstance().setRandomSeed((int) seed);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray keys = manager.randomNormal(new Shape(TOKENS, KEY_DIM));
            Block unet = tinyAttentionUnet(keys);
            unet.initialize(manager, DataType.FLOAT32, new Shape(SIDE * SIDE, FEATURES));
            unet.freezeParameters(true);
            NDArray latent = manager.randomNormal(new Shape(SIDE * SIDE, FEATURES));
            NDArray masks = AttentionMaps.rasterizeBoxes(manager, BOXES, SIDE, SIDE);
            LatentGuidance.AttentionFunction attention = LatentGuidance.AttentionFunction.of(unet);

            double[] before = insideMass(attention, latent, masks, false);
            double[] alignedBefore = insideMass(attention, latent, masks, true);
            LatentGuidance guidance = LatentGuidance.builder()
                    .setLoss(BoundaryConstrainedLayoutLoss.builder().build())
                    .setAttention(attention)
                    .optLabels(LatentGuidance.LabelSource.fixed(new NDList(masks)))
                    .optStepSize(t -> stepSize)
                    .optSteps(steps, steps)
                    .optRefinement(Map.of(), 0)
                    .build();
            LatentGuidance.Result result = guidance.run(latent, (z, t) -> z);
            double[] after = insideMass(attention, result.latent(), masks, false);
            double[] alignedAfter = insideMass(attention, result.latent(), masks, true);

            out.printf("bacon layout guidance on a tiny attention UNet: %d×%d maps, 2 concepts, %d steps, α = %s%n",
                    SIDE, SIDE, steps, stepSize);
            for (int k = 0; k < 2; k++) {
                out.printf("concept %d: attention mass inside its box %.3f -> %.3f (self-attention-aligned: %.3f -> %.3f)%n",
                        k + 1, before[k], after[k], alignedBefore[k], alignedAfter[k]);
            }
            double first = result.losses().get(0);
            double last = result.losses().get(result.losses().size() - 1);
            out.printf("loss %.4f -> %.4f%n", first, last);
            writePicture(conceptMaps(attention, latent), conceptMaps(attention, result.latent()), png);
            out.println("maps before (top) and after (bottom): " + png);
            out.println("loss per step: " + writeLossCurve(result.losses(), png));
            out.flush();
            return new Outcome(before, after, alignedBefore, alignedAfter, first, last);
        }
    }

    /**
     * The tiny UNet: pixel features (H·W, F) → queries Q = Linear(F → d); cross-attention softmax(Q Kᵀ/√d)
     * over the tokens, concept tokens 1 and 2 as (2, H, W); self-attention softmax(Q Qᵀ/√d) (H·W, H·W).
     */
    private static Block tinyAttentionUnet(NDArray keys) {
        double scale = 1 / Math.sqrt(KEY_DIM);
        return new SequentialBlock()
                .add(Linear.builder().setUnits(KEY_DIM).build())
                .add(new LambdaBlock(x -> {
                    NDArray q = x.singletonOrThrow();
                    NDArray cross = Scalar.mul(q.matMul(keys.transpose()), scale).softmax(-1);
                    NDArray maps = cross.get(":, 1:").transpose().reshape(2, SIDE, SIDE);
                    NDArray self = Scalar.mul(q.matMul(q.transpose()), scale).softmax(-1);
                    return new NDList(maps, self);
                }));
    }

    private static NDArray conceptMaps(LatentGuidance.AttentionFunction attention, NDArray latent) {
        return attention.apply(latent, 0).get(0);
    }

    /** Σ_p M_k[p] A_k[p] / Σ_p A_k[p] per concept, for the raw or the self-attention-aligned maps. */
    private static double[] insideMass(LatentGuidance.AttentionFunction attention, NDArray latent, NDArray masks,
            boolean aligned) {
        NDList outputs = attention.apply(latent, 0);
        NDArray maps = outputs.get(0).reshape(2, -1);
        if (aligned) {
            maps = maps.matMul(outputs.get(1).transpose());
        }
        NDArray inside = maps.mul(masks.reshape(2, -1)).sum(new int[] {1}).div(maps.sum(new int[] {1}));
        return inside.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    /**
     * Draws the concept maps before (top row) and after (bottom row) guidance as XChart heat maps, each
     * scaled to its own maximum, into one PNG.
     */
    private static void writePicture(NDArray before, NDArray after, Path png) throws IOException {
        List<HeatMapChart> charts = new ArrayList<>();
        String[] when = {"before", "after"};
        NDArray[] rows = {before, after};
        for (int r = 0; r < 2; r++) {
            float[] v = rows[r].toType(DataType.FLOAT32, false).toFloatArray();
            for (int k = 0; k < 2; k++) {
                charts.add(heatMap("concept " + (k + 1) + " " + when[r] + " (box x " + BOXES[k][0] + "–" + BOXES[k][2]
                        + ", y " + BOXES[k][1] + "–" + BOXES[k][3] + ")", v, k * SIDE * SIDE));
            }
        }
        createParent(png);
        BitmapEncoder.saveBitmap(charts, 2, 2, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** One SIDE×SIDE map (rows from the top, as in the image), scaled to its maximum. */
    private static HeatMapChart heatMap(String title, float[] values, int offset) {
        HeatMapChart chart = new HeatMapChartBuilder().width(MAP_PIXELS).height(MAP_PIXELS).title(title).build();
        chart.getStyler().setAxisTicksVisible(false);
        chart.getStyler().setLegendVisible(false).setChartBackgroundColor(Color.WHITE)
                .setChartTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        chart.getStyler().setRangeColors(new Color[] {Color.BLACK, Color.RED, Color.YELLOW, Color.WHITE});
        float max = 1e-12f;
        for (int q = 0; q < SIDE * SIDE; q++) {
            max = Math.max(max, values[offset + q]);
        }
        List<Integer> axis = new ArrayList<>();
        for (int i = 0; i < SIDE; i++) {
            axis.add(i);
        }
        List<Number[]> cells = new ArrayList<>();
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                cells.add(new Number[] {x, SIDE - 1 - y, values[offset + y * SIDE + x] / max});
            }
        }
        chart.getStyler().setMin(0).setMax(1);
        chart.addSeries("attention", axis, axis, cells);
        return chart;
    }

    /**
     * Writes the loss of every guided step as a line chart, {@code STEM-loss.svg} and {@code STEM-loss.png}
     * beside the maps.
     *
     * @param losses the loss per step
     * @param png the maps' file, whose name gives the stem
     * @return the SVG's path
     * @throws IOException when writing fails
     */
    static Path writeLossCurve(List<Double> losses, Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(640).height(400).title("bacon loss during guidance")
                .xAxisTitle("step").yAxisTitle("loss").build();
        chart.getStyler().setLegendVisible(false).setChartBackgroundColor(Color.WHITE);
        double[] steps = new double[losses.size()];
        double[] values = new double[losses.size()];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = i + 1;
            values[i] = losses.get(i);
        }
        chart.addSeries("loss", steps, values);
        String name = png.getFileName().toString();
        String stem = (name.endsWith(".png") ? name.substring(0, name.length() - 4) : name) + "-loss";
        Path svg = png.resolveSibling(stem + ".svg");
        createParent(svg);
        VectorGraphicsEncoder.saveVectorGraphic(chart, svg.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        BitmapEncoder.saveBitmap(chart, png.resolveSibling(stem + ".png").toString(), BitmapEncoder.BitmapFormat.PNG);
        return svg;
    }

    private static void createParent(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }
}

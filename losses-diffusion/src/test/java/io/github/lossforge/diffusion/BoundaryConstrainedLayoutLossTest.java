package io.github.lossforge.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.testkit.Close;
import io.github.lossforge.core.testkit.Evaluation;
import io.github.lossforge.core.testkit.Generators;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.LossContract;
import io.github.lossforge.core.testkit.Reference;
import io.github.lossforge.core.testkit.Sample;
import io.github.lossforge.core.testkit.TrainingTask;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

class BoundaryConstrainedLayoutLossTest extends LossContract {

    private static final double EPS = BoundaryConstrainedLayoutLoss.NORMALIZER_EPS;

    /** The three terms with explicit loops over images, concepts, rows and columns. */
    static Reference reference(double wIn, double wOut, double wMarg, boolean align) {
        return s -> {
            HostTensor a = s.prediction(0);
            HostTensor m = s.label(0);
            long[] shape = a.shape();
            boolean single = shape.length == 3;
            int n = single ? 1 : (int) shape[0];
            int k = (int) shape[single ? 0 : 1];
            int h = (int) shape[shape.length - 2];
            int w = (int) shape[shape.length - 1];
            int p = h * w;
            boolean withSelf = align && s.predictions().size() > 1;
            double[] out = new double[n];
            for (int img = 0; img < n; img++) {
                double[][] prob = new double[k][p];
                for (int c = 0; c < k; c++) {
                    double total = 0;
                    for (int q = 0; q < p; q++) {
                        double v = 0;
                        if (withSelf) {
                            for (int r = 0; r < p; r++) {
                                v += s.prediction(1).at((img * p + q) * p + r) * a.at((img * k + c) * p + r);
                            }
                        } else {
                            v = a.at((img * k + c) * p + q);
                        }
                        prob[c][q] = v;
                        total += v;
                    }
                    for (int q = 0; q < p; q++) {
                        prob[c][q] /= total + EPS;
                    }
                }
                double value = 0;
                for (int c = 0; c < k; c++) {
                    double inside = 0;
                    double outside = 0;
                    double area = 0;
                    for (int q = 0; q < p; q++) {
                        double mine = m.at((img * k + c) * p + q);
                        double others = 0;
                        for (int j = 0; j < k; j++) {
                            if (j != c) {
                                others = Math.max(others, m.at((img * k + j) * p + q));
                            }
                        }
                        inside += mine * prob[c][q];
                        outside += prob[c][q] * others * (1 - mine);
                        area += mine;
                    }
                    double marginal = 0;
                    for (int x = 0; x < w; x++) {
                        double mass = 0;
                        double target = 0;
                        for (int y = 0; y < h; y++) {
                            mass += prob[c][y * w + x];
                            target += m.at((img * k + c) * p + y * w + x) / area;
                        }
                        marginal += (mass - target) * (mass - target);
                    }
                    for (int y = 0; y < h; y++) {
                        double mass = 0;
                        double target = 0;
                        for (int x = 0; x < w; x++) {
                            mass += prob[c][y * w + x];
                            target += m.at((img * k + c) * p + y * w + x) / area;
                        }
                        marginal += (mass - target) * (mass - target);
                    }
                    value += wIn * (1 - inside) * (1 - inside) + wOut * outside + wMarg * marginal;
                }
                out[img] = value;
            }
            return out;
        };
    }

    private static Variant variant(double wIn, double wOut, double wMarg, boolean align, boolean fused) {
        return new Variant("w=" + wIn + "/" + wOut + "/" + wMarg + (align ? ", aligned" : ", unaligned")
                        + (fused ? ", fused" : ", composition"),
                r -> BoundaryConstrainedLayoutLoss.builder().optInsideWeight(wIn).optOutsideWeight(wOut)
                        .optMarginalWeight(wMarg).optAlignWithSelfAttention(align).optFused(fused)
                        .optReduction(r).build(),
                reference(wIn, wOut, wMarg, align));
    }

    @Override
    protected List<Variant> variants() {
        return List.of(
                variant(1, 1, 1, true, true),
                variant(1, 1, 1, true, false),
                variant(0.5, 2, 3, true, true));
    }

    /** Random boxes, each at least one pixel, rasterised by hand. */
    static HostTensor boxes(Random rng, int n, int k, int h, int w) {
        double[] m = new double[n * k * h * w];
        for (int i = 0; i < n * k; i++) {
            int y0 = rng.nextInt(h);
            int y1 = y0 + 1 + rng.nextInt(h - y0);
            int x0 = rng.nextInt(w);
            int x1 = x0 + 1 + rng.nextInt(w - x0);
            for (int y = y0; y < y1; y++) {
                for (int x = x0; x < x1; x++) {
                    m[(i * h + y) * w + x] = 1;
                }
            }
        }
        return HostTensor.floats(m, n, k, h, w);
    }

    /** Row-normalised positive self-attention (n, p, p). */
    static HostTensor selfAttention(Random rng, int n, int p) {
        double[] s = new double[n * p * p];
        for (int row = 0; row < n * p; row++) {
            double total = 0;
            for (int c = 0; c < p; c++) {
                s[row * p + c] = 0.05 + rng.nextDouble();
                total += s[row * p + c];
            }
            for (int c = 0; c < p; c++) {
                s[row * p + c] /= total;
            }
        }
        return HostTensor.floats(s, n, p, p);
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        switch (shape) {
            case 0:
                return new Sample(List.of(boxes(rng, 1, 2, 3, 4).reshape(2, 3, 4)),
                        List.of(Generators.uniform(rng, 0.02, 1, 2, 3, 4), selfAttention(rng, 1, 12).reshape(12, 12)));
            case 1:
                return new Sample(List.of(boxes(rng, 2, 3, 3, 3)),
                        List.of(Generators.uniform(rng, 0.02, 1, 2, 3, 3, 3), selfAttention(rng, 2, 9)));
            default:
                return new Sample(List.of(boxes(rng, 3, 2, 3, 5)), List.of(Generators.uniform(rng, 0.02, 1, 3, 2, 3, 5)));
        }
    }

    @Override
    protected TrainingTask trainingTask() {
        return AttentionTask.conceptMapsWithSelfAttention(2, AttentionTask.randomMasks(2));
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> BoundaryConstrainedLayoutLoss.builder().build()),
                new RegistryCase(Map.of("insideWeight", 2, "outsideWeight", 0.5, "marginalWeight", 0L,
                        "alignWithSelfAttention", false, "reduction", "none"),
                        () -> BoundaryConstrainedLayoutLoss.builder().optInsideWeight(2).optOutsideWeight(0.5)
                                .optMarginalWeight(0).optAlignWithSelfAttention(false)
                                .optReduction(Reduction.NONE).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        List<BadInput> cases = new ArrayList<>();
        HostTensor masks = boxes(rng, 1, 2, 3, 4).reshape(2, 3, 4);
        HostTensor maps = Generators.uniform(rng, 0.02, 1, 2, 3, 4);
        cases.add(new BadInput("rank 2 maps", new Sample(List.of(masks), List.of(Generators.uniform(rng, 0, 1, 3, 4))),
                "predictions[0]", "(K, H, W) or (N, K, H, W)"));
        cases.add(new BadInput("masks of another shape",
                new Sample(List.of(boxes(rng, 1, 2, 4, 3).reshape(2, 4, 3)), List.of(maps)),
                "labels[0]", "(2, 4, 3)", "(2, 3, 4)"));
        double[] soft = masks.data();
        soft[0] = 0.5;
        cases.add(new BadInput("masks that are not 0/1", new Sample(List.of(masks.withData(soft)), List.of(maps)),
                "labels[0]", "0/1"));
        double[] empty = masks.data();
        java.util.Arrays.fill(empty, 12, 24, 0);
        cases.add(new BadInput("an empty mask", new Sample(List.of(masks.withData(empty)), List.of(maps)),
                "labels[0]", "empty mask for concept 1"));
        double[] negative = maps.data();
        negative[2] = -1;
        cases.add(new BadInput("a negative map value", new Sample(List.of(masks), List.of(maps.withData(negative))),
                "predictions[0]", "non-negative"));
        cases.add(new BadInput("self-attention of the wrong size",
                new Sample(List.of(masks), List.of(maps, selfAttention(rng, 1, 11).reshape(11, 11))),
                "predictions[1]", "(11, 11)", "(12, 12)"));
        double[] negSelf = selfAttention(rng, 1, 12).data();
        negSelf[7] = -0.5;
        cases.add(new BadInput("negative self-attention",
                new Sample(List.of(masks), List.of(maps, HostTensor.floats(negSelf, 12, 12))),
                "predictions[1]", "non-negative"));
        cases.add(new BadInput("three prediction slots",
                new Sample(List.of(masks), List.of(maps, maps, maps)), "3 predictions slot(s)"));
        return cases;
    }

    private static double[] values(BoundaryConstrainedLayoutLoss loss, Sample s) {
        return Evaluation.of(loss, s, DataType.FLOAT64).value();
    }

    @Test
    void uniformMassOnDisjointBoxesGivesZero() {
        double[] m = new double[2 * 4 * 5];
        double[] a = new double[m.length];
        for (int y = 1; y < 3; y++) {
            for (int x = 0; x < 2; x++) {
                m[y * 5 + x] = 1;
                a[y * 5 + x] = 0.3;
            }
            for (int x = 2; x < 5; x++) {
                m[20 + y * 5 + x] = 1;
                a[20 + y * 5 + x] = 0.7;
            }
        }
        Sample s = new Sample(List.of(HostTensor.floats(m, 2, 4, 5)), List.of(HostTensor.floats(a, 2, 4, 5)));
        for (boolean fused : new boolean[] {true, false}) {
            assertThat(values(BoundaryConstrainedLayoutLoss.builder().optFused(fused).build(), s)[0])
                    .isCloseTo(0.0, org.assertj.core.api.Assertions.within(1e-14));
        }
    }

    @Test
    void identitySelfAttentionEqualsNoAlignment() {
        Sample s = sample(0, new Random(2));
        double[] eye = new double[144];
        for (int i = 0; i < 12; i++) {
            eye[i * 12 + i] = 1;
        }
        Sample withIdentity = s.withPrediction(1, HostTensor.floats(eye, 12, 12));
        Sample without = new Sample(s.labels(), List.of(s.prediction(0)));
        BoundaryConstrainedLayoutLoss loss = BoundaryConstrainedLayoutLoss.builder().build();
        Close.assertClose("A_s = I vs no self-attention", values(loss, withIdentity), values(loss, without), 1e-12);
    }

    @Test
    void withoutAlignmentTheSelfAttentionSlotIsIgnored() {
        Sample s = sample(1, new Random(6));
        Sample without = new Sample(s.labels(), List.of(s.prediction(0)));
        for (boolean fused : new boolean[] {true, false}) {
            BoundaryConstrainedLayoutLoss loss = BoundaryConstrainedLayoutLoss.builder().optAlignWithSelfAttention(false)
                    .optMarginalWeight(3).optFused(fused).optReduction(Reduction.NONE).build();
            Evaluation e = Evaluation.of(loss, s, DataType.FLOAT64);
            Close.assertClose("unaligned with P1 vs without P1", e.value(),
                    reference(1, 1, 3, false).perSample(without), 1e-12);
            Close.assertClose("unaligned gradient of predictions[0]", e.gradient(0),
                    Evaluation.of(loss, without, DataType.FLOAT64).gradient(0), 1e-12);
            assertThat(e.gradient(1)).containsOnly(0.0);
        }
    }

    @Test
    void allZeroMapsGiveFiniteValueAndGradient() {
        Random rng = new Random(7);
        Sample s = new Sample(List.of(boxes(rng, 1, 2, 3, 3)),
                List.of(HostTensor.floats(new double[18], 1, 2, 3, 3), selfAttention(rng, 1, 9)));
        for (boolean fused : new boolean[] {true, false}) {
            Evaluation e = Evaluation.of(BoundaryConstrainedLayoutLoss.builder().optFused(fused).build(), s,
                    DataType.FLOAT64);
            Close.assertFinite("value at zero maps", e.value());
            Close.assertFinite("gradient of the maps at zero maps", e.gradient(0));
            Close.assertFinite("gradient of the self-attention at zero maps", e.gradient(1));
        }
    }

    @Test
    void aBatchEqualsItsImagesOneByOne() {
        Sample batch = sample(1, new Random(8));
        BoundaryConstrainedLayoutLoss loss = BoundaryConstrainedLayoutLoss.builder().optReduction(Reduction.NONE).build();
        double[] together = values(loss, batch);
        long[] shape = batch.prediction(0).shape();
        int image = (int) (shape[1] * shape[2] * shape[3]);
        int p = (int) (shape[2] * shape[3]);
        for (int i = 0; i < shape[0]; i++) {
            int from = i * image;
            HostTensor maps = HostTensor.floats(java.util.Arrays.copyOfRange(batch.prediction(0).data(), from,
                    from + image), shape[1], shape[2], shape[3]);
            HostTensor masks = HostTensor.floats(java.util.Arrays.copyOfRange(batch.label(0).data(), from,
                    from + image), shape[1], shape[2], shape[3]);
            HostTensor self = HostTensor.floats(java.util.Arrays.copyOfRange(batch.prediction(1).data(), i * p * p,
                    (i + 1) * p * p), p, p);
            double[] alone = values(loss, new Sample(List.of(masks), List.of(maps, self)));
            Close.assertClose("image " + i + " alone vs in the batch", alone, new double[] {together[i]}, 1e-12);
        }
    }

    @Test
    void singleConceptHasNoOutsideTerm() {
        Random rng = new Random(3);
        Sample s = new Sample(List.of(boxes(rng, 2, 1, 4, 4)), List.of(Generators.uniform(rng, 0.02, 1, 2, 1, 4, 4)));
        for (boolean fused : new boolean[] {true, false}) {
            BoundaryConstrainedLayoutLoss onlyOutside = BoundaryConstrainedLayoutLoss.builder().optInsideWeight(0)
                    .optMarginalWeight(0).optFused(fused).optReduction(Reduction.NONE).build();
            assertThat(values(onlyOutside, s)).containsOnly(0.0);
        }
    }

    @Test
    void outsideTermIsTheMassInsideOtherConceptsBoxesOnly() {
        double[] m = {1, 1, 0, 0, 0, 1, 1, 0};
        double[] a = {0.1, 0.2, 0.3, 0.4, 0.4, 0.3, 0.2, 0.1};
        Sample s = new Sample(List.of(HostTensor.floats(m, 2, 1, 4)), List.of(HostTensor.floats(a, 2, 1, 4)));
        BoundaryConstrainedLayoutLoss onlyOutside = BoundaryConstrainedLayoutLoss.builder().optInsideWeight(0)
                .optMarginalWeight(0).build();
        // concept 0: its mass at pixel 2 (in box 1, outside box 0) is 0.3; concept 1: pixel 0 holds 0.4.
        Close.assertClose("outside", values(onlyOutside, s), new double[] {(0.3 + 0.4) / (1 + EPS)}, 1e-12);
    }

    @Test
    void fusedKernelMatchesCompositionOnEightMapsOfSixtyFourSquared() {
        Random rng = new Random(4);
        Sample s = new Sample(List.of(boxes(rng, 1, 8, 64, 64).reshape(8, 64, 64)),
                List.of(Generators.uniform(rng, 0, 1, 8, 64, 64)));
        assertFusedMatchesComposition(s);
    }

    @Test
    void fusedKernelMatchesCompositionWithSelfAttention() {
        Random rng = new Random(5);
        Sample s = new Sample(List.of(boxes(rng, 2, 8, 16, 16)),
                List.of(Generators.uniform(rng, 0, 1, 2, 8, 16, 16), selfAttention(rng, 2, 256)));
        assertFusedMatchesComposition(s);
    }

    private static void assertFusedMatchesComposition(Sample s) {
        Evaluation fused = Evaluation.of(BoundaryConstrainedLayoutLoss.builder().optFused(true)
                .optReduction(Reduction.NONE).build(), s, DataType.FLOAT64);
        Evaluation plain = Evaluation.of(BoundaryConstrainedLayoutLoss.builder().optFused(false)
                .optReduction(Reduction.NONE).build(), s, DataType.FLOAT64);
        Close.assertClose("fused vs composition: values", fused.value(), plain.value(), 1e-6);
        for (int slot = 0; slot < s.predictions().size(); slot++) {
            Close.assertClose("fused vs composition: gradient of predictions[" + slot + "]",
                    fused.gradient(slot), plain.gradient(slot), 1e-6);
        }
    }

    @Test
    void rejectsNegativeOrNonFiniteWeights() {
        assertThatThrownBy(() -> BoundaryConstrainedLayoutLoss.builder().optInsideWeight(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bacon")
                .hasMessageContaining("insideWeight");
        assertThatThrownBy(() -> BoundaryConstrainedLayoutLoss.builder().optMarginalWeight(Double.NaN).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("marginalWeight");
    }
}

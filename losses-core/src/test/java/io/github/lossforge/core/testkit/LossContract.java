package io.github.lossforge.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Checks;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.Losses;
import io.github.lossforge.core.Reduction;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * The tests every loss must pass (spec §4), written once. A loss's test class extends this, names
 * its variants with their independent float64 references, its sample shapes, its bad inputs and its
 * registry round trips, and adds the paper's special cases as its own test methods.
 */
public abstract class LossContract {

    /** Relative tolerance of value and gradient against the float64 reference. */
    protected static final double REL = 1e-6;

    /** Scale of the stability inputs. */
    protected static final double EXTREME = 1e4;

    /**
     * One configuration of the loss with its reference.
     *
     * @param name a readable description
     * @param loss builds the loss with a given reduction
     * @param reference the independent reference
     */
    public record Variant(String name, Function<Reduction, BaseLoss> loss, Reference reference) {}

    /**
     * An input the loss must reject with an {@link IllegalArgumentException} whose message contains
     * the loss id and every fragment.
     *
     * @param name what is wrong
     * @param sample the input
     * @param fragments text the message must contain
     */
    public record BadInput(String name, Sample sample, String... fragments) {}

    /**
     * Registry parameters and the builder-made loss they must equal.
     *
     * @param params the registry parameters
     * @param builder the same loss from its builder
     */
    public record RegistryCase(Map<String, ?> params, java.util.function.Supplier<BaseLoss> builder) {}

    /**
     * The configurations checked against references.
     *
     * @return the variants, the first one being the defaults
     */
    protected abstract List<Variant> variants();

    /**
     * A random input of shape number {@code shape} (0: batch 1 where meaningful; 1, 2: larger).
     *
     * @param shape 0, 1 or 2
     * @param rng the generator
     * @return the sample
     */
    protected abstract Sample sample(int shape, Random rng);

    /**
     * Registry round trips.
     *
     * @return the cases
     */
    protected abstract List<RegistryCase> registryCases();

    /**
     * Inputs that must be rejected (wrong rank, batch mismatch, out-of-range class, …).
     *
     * @param rng the generator
     * @return the cases
     */
    protected abstract List<BadInput> badInputs(Random rng);

    /**
     * The loss id (the registry key and the prefix of every error message).
     *
     * @return the id
     */
    protected String id() {
        return variants().get(0).loss().apply(Reduction.MEAN).id();
    }

    /**
     * Whether the loss has per-sample values (false for batch-level losses).
     *
     * @return true by default
     */
    protected boolean perSample() {
        return true;
    }

    /**
     * The stability input: by default shape 1 with prediction slot 0 scaled so its largest
     * magnitude is {@link #EXTREME}.
     *
     * @param rng the generator
     * @return the sample
     */
    protected Sample extremeSample(Random rng) {
        Sample s = sample(1, rng);
        HostTensor p = s.prediction(0);
        double max = Arrays.stream(p.data()).map(Math::abs).max().orElse(1);
        return s.withPrediction(0, p.withData(Arrays.stream(p.data()).map(v -> v * EXTREME / max).toArray()));
    }

    /**
     * The empty-batch input: by default every slot cut to 0 rows.
     *
     * @param rng the generator
     * @return the sample
     */
    protected Sample emptySample(Random rng) {
        return sample(1, rng).mapAll(t -> t.firstRows(0));
    }

    /**
     * The task of the leak check.
     *
     * @return the task
     */
    protected TrainingTask trainingTask() {
        return TrainingTask.blobClassification(4, 5, 16);
    }

    /**
     * The shape numbers the reference comparisons run on.
     *
     * @return the shape numbers
     */
    protected int[] shapes() {
        return new int[] {0, 1, 2};
    }

    /**
     * Whether the loss is differentiable in a prediction slot. A slot read only through a
     * non-differentiable function (e.g. an argmax deciding correctness) has a zero gradient by
     * design, and finite differences of a locally constant function are rounding noise, so the two
     * gradient comparisons skip it; the loss's own test then asserts the zero gradient.
     *
     * @param slot the prediction index
     * @return true by default
     */
    protected boolean differentiable(int slot) {
        return true;
    }

    private Random rng(int salt) {
        return new Random(1234L + 31L * salt + id().hashCode());
    }

    @Test
    void valueMatchesFloat64Reference() {
        for (Variant v : variants()) {
            for (int shape : shapes()) {
                Sample s = sample(shape, rng(shape));
                double got = Evaluation.of(v.loss().apply(Reduction.MEAN), s, DataType.FLOAT64).scalar();
                Close.assertClose(v.name() + ", shape " + shape + ": value",
                        new double[] {got}, new double[] {v.reference().mean(s)}, REL);
            }
        }
    }

    @Test
    void gradientMatchesFloat64Reference() {
        for (Variant v : variants()) {
            for (int shape : shapes()) {
                Sample s = sample(shape, rng(shape));
                Evaluation e = Evaluation.of(v.loss().apply(Reduction.MEAN), s, DataType.FLOAT64);
                for (int slot = 0; slot < s.predictions().size(); slot++) {
                    HostTensor t = s.prediction(slot);
                    if (!t.isFloating() || !differentiable(slot)) {
                        continue;
                    }
                    int i = slot;
                    double[] expected = Stencil.gradient(
                            x -> v.reference().mean(s.withPrediction(i, t.withData(x))), t.data(), 1e-4);
                    Close.assertClose(v.name() + ", shape " + shape + ": gradient of predictions[" + slot + "]",
                            e.gradient(slot), expected, REL);
                }
            }
        }
    }

    @Test
    void reductionsMatchReference() {
        Variant v = variants().get(0);
        Sample s = sample(2, rng(2));
        if (perSample()) {
            double sum = Evaluation.of(v.loss().apply(Reduction.SUM), s, DataType.FLOAT64).scalar();
            Close.assertClose(v.name() + ": sum", new double[] {sum}, new double[] {v.reference().sum(s)}, REL);
            double[] none = Evaluation.of(v.loss().apply(Reduction.NONE), s, DataType.FLOAT64).value();
            Close.assertClose(v.name() + ": none", none, v.reference().perSample(s), REL);
        }
    }

    @Test
    void batchLevelLossRefusesSumAndNoneSayingWhy() {
        List<String> offered = Losses.info(id()).parameters().stream()
                .filter(p -> p.name().equals(LossInfo.REDUCTION)).findFirst().orElseThrow().words();
        if (perSample()) {
            assertThat(offered).as("%s: reductions the registry offers", id()).contains("mean", "sum", "none");
            return;
        }
        for (Reduction r : new Reduction[] {Reduction.SUM, Reduction.NONE}) {
            for (Variant v : variants()) {
                assertThatThrownBy(() -> v.loss().apply(r))
                        .as("%s: reduction %s", v.name(), r)
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining(id())
                        .hasMessageContaining("'" + r.key() + "'")
                        .hasMessageContaining("one value per batch");
            }
            // A loss that is batch-level for every parameter value offers only mean in the registry.
            if (offered.equals(List.of("mean"))) {
                assertThatThrownBy(() -> Losses.create(id(), Map.of(LossInfo.REDUCTION, r.key())))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining(id())
                        .hasMessageContaining(r.key());
            }
        }
    }

    @Test
    void finiteDifferenceAgreesWithAutograd() {
        for (Variant v : variants()) {
            BaseLoss loss = v.loss().apply(Reduction.MEAN);
            Sample s = sample(1, rng(1));
            Evaluation e = Evaluation.of(loss, s, DataType.FLOAT64);
            for (int slot = 0; slot < s.predictions().size(); slot++) {
                HostTensor t = s.prediction(slot);
                if (!t.isFloating() || !differentiable(slot)) {
                    continue;
                }
                int i = slot;
                double[] numeric = Stencil.gradient(
                        x -> Evaluation.valueOf(loss, s.withPrediction(i, t.withData(x)), DataType.FLOAT64)[0],
                        t.data(), 1e-4);
                Close.assertClose(v.name() + ": autograd vs finite differences of predictions[" + slot + "]",
                        e.gradient(slot), numeric, 1e-5);
            }
        }
    }

    @Test
    void gradientSurvivesGarbageCollectionBetweenForwardAndBackward() {
        Sample s = sample(1, rng(12));
        for (Variant v : variants()) {
            BaseLoss loss = v.loss().apply(Reduction.MEAN);
            Evaluation plain = Evaluation.of(loss, s, DataType.FLOAT64);
            Evaluation scrubbed = Evaluation.of(loss, s, DataType.FLOAT64, true);
            for (int slot = 0; slot < s.predictions().size(); slot++) {
                if (s.prediction(slot).isFloating()) {
                    assertThat(scrubbed.gradient(slot))
                            .as("%s: gradient of predictions[%d] with a GC between forward and backward"
                                    + " (a constant made from Java memory was freed: use Scalar)", v.name(), slot)
                            .containsExactly(plain.gradient(slot));
                }
            }
        }
    }

    @Test
    void staysFiniteAtExtremeValues() {
        Sample s = extremeSample(rng(3));
        for (Variant v : variants()) {
            for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
                Evaluation e = Evaluation.of(v.loss().apply(Reduction.MEAN), s, type);
                Close.assertFinite(v.name() + " " + type + ": value", e.value());
                for (int slot = 0; slot < s.predictions().size(); slot++) {
                    if (s.prediction(slot).isFloating()) {
                        Close.assertFinite(v.name() + " " + type + ": gradient of predictions[" + slot + "]",
                                e.gradient(slot));
                    }
                }
            }
        }
    }

    @Test
    void float16IsComputedInFloat32() {
        Sample s = sample(1, rng(4));
        Sample rounded = s.mapAll(t -> t.isFloating() ? t.withData(roundToHalf(t.data())) : t);
        BaseLoss loss = variants().get(0).loss().apply(Reduction.MEAN);
        Evaluation half = Evaluation.of(loss, rounded, DataType.FLOAT16);
        Evaluation single = Evaluation.of(loss, rounded, DataType.FLOAT32);
        assertThat(half.valueType()).isEqualTo(DataType.FLOAT32);
        Close.assertClose("float16 input vs the same values in float32", half.value(), single.value(), 1e-5);
        Close.assertFinite("float16 gradient", half.gradient(0));
    }

    @Test
    void float32AndFloat64AreComputedInTheirOwnDtype() {
        Sample s = sample(1, rng(13));
        for (Reduction r : perSample() ? Reduction.values() : new Reduction[] {Reduction.MEAN}) {
            BaseLoss loss = variants().get(0).loss().apply(r);
            for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
                assertThat(Evaluation.of(loss, s, type).valueType())
                        .as("%s, reduction %s: dtype of the value for %s input", id(), r, type)
                        .isEqualTo(type);
            }
        }
    }

    @Test
    void bfloat16IsRejectedWithClearMessage() {
        Sample s = sample(1, rng(5));
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList labels = s.labelList(manager, DataType.FLOAT32);
            NDList predictions = s.predictionList(manager, DataType.FLOAT32);
            // DJL's JNI aborts the JVM on a real bfloat16 tensor, so a stand-in reports the dtype.
            predictions.set(0, Bfloat16StandIn.of(predictions.get(0)));
            BaseLoss loss = variants().get(0).loss().apply(Reduction.MEAN);
            assertThatThrownBy(() -> loss.evaluate(labels, predictions))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(id())
                    .hasMessageContaining("predictions[0]")
                    .hasMessageContaining("bfloat16");
        }
    }

    @Test
    void nanInputIsRejectedWithClearMessage() {
        Sample s = sample(1, rng(6));
        double[] d = s.prediction(0).data();
        d[0] = Double.NaN;
        assertRejected(s.withPrediction(0, s.prediction(0).withData(d)), "predictions[0]", "NaN");
    }

    @Test
    void emptyBatchIsRejectedWithClearMessage() {
        assertRejected(emptySample(rng(7)), "empty");
    }

    @Test
    void badInputIsRejectedWithClearMessage() {
        List<BadInput> cases = badInputs(rng(8));
        assertThat(cases).as("bad-input cases").isNotEmpty();
        for (BadInput b : cases) {
            assertRejected(b.sample(), b.fragments());
        }
    }

    @Test
    void int32TargetsAreAccepted() {
        Sample s = sample(1, rng(9));
        boolean anyLong = s.labels().stream().anyMatch(t -> t.type() == DataType.INT64);
        if (!anyLong) {
            return;
        }
        Sample narrow = s.mapAll(t -> t.type() == DataType.INT64 ? t.withType(DataType.INT32) : t);
        BaseLoss loss = variants().get(0).loss().apply(Reduction.MEAN);
        assertThat(Evaluation.valueOf(loss, narrow, DataType.FLOAT64))
                .containsExactly(Evaluation.valueOf(loss, s, DataType.FLOAT64));
    }

    @Test
    void mutatedInputsGiveFiniteValuesOrClearErrors() {
        MutationPass.run(id(), () -> variants().get(0).loss().apply(Reduction.MEAN), sample(shapes()[0], rng(14)));
    }

    @Test
    void trainingDoesNotLeakArrays() {
        LeakCheck.assertNoLeak(variants().get(0).loss().apply(Reduction.MEAN), trainingTask(), 200);
    }

    @Test
    void registryCreatesTheSameLossAsTheBuilder() {
        Sample s = sample(2, rng(10));
        List<RegistryCase> cases = registryCases();
        assertThat(cases).as("registry cases").isNotEmpty();
        for (RegistryCase c : cases) {
            BaseLoss fromRegistry = Losses.create(id(), c.params());
            BaseLoss fromBuilder = c.builder().get();
            assertThat(fromRegistry).isExactlyInstanceOf(fromBuilder.getClass());
            assertThat(fromRegistry.reduction()).isEqualTo(fromBuilder.reduction());
            assertThat(Evaluation.valueOf(fromRegistry, s, DataType.FLOAT64))
                    .as("registry %s vs builder", c.params())
                    .containsExactly(Evaluation.valueOf(fromBuilder, s, DataType.FLOAT64));
        }
        assertThat(Losses.info(id()).lossClass()).isEqualTo(cases.get(0).builder().get().getClass());
    }

    @Test
    void registryRejectsUnknownParameterListingValidOnes() {
        Map<String, Object> params = new HashMap<>();
        params.put("noSuchParameter", 1.0);
        String firstValid = Losses.info(id()).parameters().get(0).name();
        assertThatThrownBy(() -> Losses.create(id(), params))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(id())
                .hasMessageContaining("noSuchParameter")
                .hasMessageContaining(firstValid);
    }

    @Test
    void valueChecksReadTheHostAtMostOncePerEvaluate() {
        Sample s = sample(2, rng(14));
        BaseLoss loss = variants().get(0).loss().apply(Reduction.MEAN);
        for (Checks.Level level : Checks.Level.values()) {
            Checks.setLevel(level);
            try (NDManager manager = NDManager.newBaseManager()) {
                NDList labels = s.labelList(manager, DataType.FLOAT32);
                NDList predictions = s.predictionList(manager, DataType.FLOAT32);
                long before = Checks.hostReads();
                loss.evaluate(labels, predictions);
                assertThat(Checks.hostReads() - before)
                        .as("%s: host reads of the value checks in one evaluate with checks=%s", id(), level)
                        .isLessThanOrEqualTo(level == Checks.Level.FULL ? 1 : 0);
            } finally {
                Checks.setLevel(null);
            }
        }
    }

    /**
     * Asserts that evaluating the default loss on a sample fails with a clear message.
     *
     * @param s the input
     * @param fragments text the message must contain besides the loss id
     */
    protected void assertRejected(Sample s, String... fragments) {
        BaseLoss loss = variants().get(0).loss().apply(Reduction.MEAN);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList labels = s.labelList(manager, DataType.FLOAT64);
            NDList predictions = s.predictionList(manager, DataType.FLOAT64);
            var thrown = assertThatThrownBy(() -> loss.evaluate(labels, predictions))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(id());
            for (String f : fragments) {
                thrown.hasMessageContaining(f);
            }
        }
    }

    private static double[] roundToHalf(double[] d) {
        try (NDManager manager = NDManager.newBaseManager()) {
            return manager.create(d).toType(DataType.FLOAT16, false).toType(DataType.FLOAT64, false).toDoubleArray();
        }
    }
}

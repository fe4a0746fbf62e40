package io.github.lossforge.core.classification;

import static io.github.lossforge.core.classification.ClassificationReferences.logSoftmaxAt;
import static io.github.lossforge.core.classification.ClassificationReferences.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
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

import java.util.List;
import java.util.Map;
import java.util.Random;

class SmoothAdversarialCompSumLossTest extends LossContract {

    private static final long[][] SHAPES = {{1, 4}, {6, 5}, {9, 3}};

    /** ℓ_τ(clean) + ν ‖(a_k − a_y) − (c_k − c_y)‖₂ per sample, with ℓ_τ = (p_y^(τ−1) − 1)/(1 − τ). */
    static Reference reference(double tau, double nu) {
        return s -> {
            HostTensor clean = s.prediction(0);
            HostTensor adv = s.prediction(1);
            double[] out = new double[clean.dim(0)];
            for (int i = 0; i < out.length; i++) {
                double[] c = row(clean, i);
                double[] a = row(adv, i);
                int y = s.label(0).index(i);
                double logPy = logSoftmaxAt(c, y);
                double compSum = tau == 1 ? -logPy : (Math.exp((tau - 1) * logPy) - 1) / (1 - tau);
                double squared = 0;
                for (int k = 0; k < c.length; k++) {
                    double d = (a[k] - a[y]) - (c[k] - c[y]);
                    squared += d * d;
                }
                out[i] = compSum + nu * Math.sqrt(squared);
            }
            return out;
        };
    }

    private static Variant variant(double tau, double nu) {
        return new Variant("tau=" + tau + ", nu=" + nu,
                r -> SmoothAdversarialCompSumLoss.builder().optTau(tau).optNu(nu).optReduction(r).build(),
                reference(tau, nu));
    }

    @Override
    protected List<Variant> variants() {
        return List.of(variant(1.0, 1.0), variant(0.5, 2.0), variant(2.0, 0.3), variant(1.5, 4.0));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        long n = SHAPES[shape][0];
        long c = SHAPES[shape][1];
        HostTensor clean = Generators.normal(rng, 2.0, n, c);
        double[] adv = clean.data();
        for (int i = 0; i < adv.length; i++) {
            adv[i] += 0.5 * rng.nextGaussian();
        }
        return new Sample(List.of(Generators.classes(rng, (int) c, n)), List.of(clean, clean.withData(adv)));
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> SmoothAdversarialCompSumLoss.builder().build()),
                new RegistryCase(Map.of("tau", 0, "nu", 6L, "reduction", "none"),
                        () -> SmoothAdversarialCompSumLoss.builder().optTau(0).optNu(6)
                                .optReduction(Reduction.NONE).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        return ClassificationBadInputs.forTwoScoreSlotsAndTargets(rng, "clean logits", "adversarial logits");
    }

    /** The leak check's model emits 2C columns standing in for (clean, adversarial) logits. */
    @Override
    protected TrainingTask trainingTask() {
        return ClassificationTasks.blobs(4, 3, 16, 6,
                out -> new NDList(out.singletonOrThrow().get(":, 0:3"), out.singletonOrThrow().get(":, 3:6")),
                (m, y, rng) -> new NDList(m.create(y)));
    }

    private static double[] perSample(SmoothAdversarialCompSumLoss loss, Sample s) {
        return Evaluation.of(loss, s, DataType.FLOAT64).value();
    }

    @Test
    void identicalCleanAndAdversarialLogitsGiveCompSumWithFiniteGradient() {
        Sample s = sample(1, new Random(1));
        Sample same = s.withPrediction(1, s.prediction(0));
        Evaluation e = Evaluation.of(SmoothAdversarialCompSumLoss.builder().optTau(0.5).build(), same,
                DataType.FLOAT64);
        double compSum = Evaluation.of(CompSumLoss.builder().optTau(0.5).build(),
                new Sample(List.of(s.label(0)), List.of(s.prediction(0))), DataType.FLOAT64).scalar();
        Close.assertClose("adv-comp-sum at x' = x vs comp-sum", e.value(), new double[] {compSum}, 1e-12);
        Close.assertFinite("gradient of the clean logits", e.gradient(0));
        Close.assertFinite("gradient of the adversarial logits", e.gradient(1));
        assertThat(e.gradient(1)).as("the norm's subgradient at 0 is 0").containsOnly(0.0);
    }

    @Test
    void regulariserComparesMarginVectorsSoARowShiftOfTheAdversarialLogitsChangesNothing() {
        Sample s = sample(2, new Random(2));
        double[] shifted = s.prediction(1).data();
        int c = s.prediction(1).dim(1);
        for (int i = 0; i < shifted.length; i++) {
            shifted[i] += 3.0 * (i / c) - 7.0;
        }
        SmoothAdversarialCompSumLoss loss = SmoothAdversarialCompSumLoss.builder().optReduction(Reduction.NONE).build();
        Close.assertClose("row-shifted adversarial logits",
                perSample(loss, s.withPrediction(1, s.prediction(1).withData(shifted))), perSample(loss, s), 1e-10);
    }

    @Test
    void zeroNuIsThePlainCompSumLoss() {
        Sample s = sample(2, new Random(3));
        double[] got = perSample(SmoothAdversarialCompSumLoss.builder().optNu(0).optTau(2)
                .optReduction(Reduction.NONE).build(), s);
        double[] expected = Evaluation.of(CompSumLoss.builder().optTau(2).optReduction(Reduction.NONE).build(),
                new Sample(List.of(s.label(0)), List.of(s.prediction(0))), DataType.FLOAT64).value();
        Close.assertClose("adv-comp-sum(nu=0) vs comp-sum", got, expected, 1e-12);
    }

    @Test
    void rejectsNegativeNuAndTau() {
        assertThatThrownBy(() -> SmoothAdversarialCompSumLoss.builder().optNu(-0.1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("adv-comp-sum").hasMessageContaining("nu");
        assertThatThrownBy(() -> SmoothAdversarialCompSumLoss.builder().optTau(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tau");
    }

    // ---- the PGD helper ----

    /** A trainer for a freshly initialised blob MLP; the engine is seeded so the initialisation is fixed. */
    private static Trainer newTrainer(Model model, ai.djl.training.loss.Loss loss) {
        Engine.getInstance().setRandomSeed(1234);
        model.setBlock(ClassificationTasks.blobs(4, 3, 16, 3, out -> out, (m, y, rng) -> new NDList()).model());
        Trainer trainer = model.newTrainer(new DefaultTrainingConfig(loss)
                .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).build()));
        trainer.initialize(new Shape(16, 4));
        return trainer;
    }

    private static NDArray cyclicTargets(NDManager manager) {
        return manager.create(new long[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0});
    }

    /** Σ_i ‖Δ̄(h(x′_i)) − Δ̄(h(x_i))‖₂, the attack's objective, evaluated without gradient. */
    private static double objective(Trainer trainer, NDArray x, NDArray xAdv, NDArray y) {
        double[] clean = trainer.evaluate(new NDList(x)).singletonOrThrow().toType(DataType.FLOAT64, false)
                .toDoubleArray();
        double[] adv = trainer.evaluate(new NDList(xAdv)).singletonOrThrow().toType(DataType.FLOAT64, false)
                .toDoubleArray();
        long[] t = y.toLongArray();
        double total = 0;
        for (int i = 0; i < t.length; i++) {
            double sq = 0;
            for (int k = 0; k < 3; k++) {
                double d = (adv[i * 3 + k] - adv[i * 3 + (int) t[i]]) - (clean[i * 3 + k] - clean[i * 3 + (int) t[i]]);
                sq += d * d;
            }
            total += Math.sqrt(sq);
        }
        return total;
    }

    @Test
    void pgdStaysInTheEpsilonBallAndIncreasesTheSmoothnessTerm() {
        try (Model model = Model.newInstance("pgd");
                Trainer trainer = newTrainer(model, SmoothAdversarialCompSumLoss.builder().build());
                NDManager manager = trainer.getManager().newSubManager()) {
            NDArray x = manager.randomNormal(new Shape(16, 4));
            NDArray y = cyclicTargets(manager);
            AdversarialPerturbation start = AdversarialPerturbation.builder().optEpsilon(0.1).optSteps(0).build();
            AdversarialPerturbation pgd = AdversarialPerturbation.builder().optEpsilon(0.1).optStepSize(0.03)
                    .optSteps(10).build();
            NDArray random = start.perturb(trainer, x, y);
            NDArray attacked = pgd.perturb(trainer, x, y);
            assertThat(attacked.getShape()).isEqualTo(x.getShape());
            assertThat(attacked.hasGradient()).isFalse();
            double maxDistance = attacked.sub(x).abs().max().getFloat();
            assertThat(maxDistance).isLessThanOrEqualTo(0.1f + 1e-6f).isGreaterThan(0.05f);
            assertThat(objective(trainer, x, attacked, y)).isGreaterThan(2 * objective(trainer, x, random, y));
        }
    }

    @Test
    void pgdOnABlockWithAParameterStoreEqualsPgdThroughTheTrainer() {
        try (Model model = Model.newInstance("pgd-block");
                Trainer trainer = newTrainer(model, SmoothAdversarialCompSumLoss.builder().build());
                NDManager manager = trainer.getManager().newSubManager()) {
            NDArray x = manager.randomNormal(new Shape(16, 4));
            NDArray y = cyclicTargets(manager);
            AdversarialPerturbation.Builder settings = AdversarialPerturbation.builder().optEpsilon(0.2)
                    .optStepSize(0.05).optSteps(4).optSeed(9);
            NDArray viaTrainer = settings.build().perturb(trainer, x, y);
            NDArray viaBlock = settings.build().perturb(model.getBlock(), new ParameterStore(manager, false), x, y);
            assertThat(viaBlock.toFloatArray()).containsExactly(viaTrainer.toFloatArray());
        }
    }

    @Test
    void pgdRejectsTargetsThatDoNotFitTheLogits() {
        try (Model model = Model.newInstance("pgd-targets");
                Trainer trainer = newTrainer(model, SmoothAdversarialCompSumLoss.builder().build());
                NDManager manager = trainer.getManager().newSubManager()) {
            NDArray x = manager.randomNormal(new Shape(16, 4));
            AdversarialPerturbation pgd = AdversarialPerturbation.builder().build();
            assertThatThrownBy(() -> pgd.perturb(trainer, x, manager.zeros(new Shape(15), DataType.INT64)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(15)");
            assertThatThrownBy(() -> pgd.perturb(trainer, x, cyclicTargets(manager).add(1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[0, 3)");
        }
    }

    @Test
    void pgdRespectsTheDataRange() {
        try (Model model = Model.newInstance("pgd-range");
                Trainer trainer = newTrainer(model, SmoothAdversarialCompSumLoss.builder().build());
                NDManager manager = trainer.getManager().newSubManager()) {
            NDArray x = manager.randomUniform(0, 1, new Shape(16, 4));
            NDArray y = manager.zeros(new Shape(16), DataType.INT64);
            NDArray attacked = AdversarialPerturbation.builder().optEpsilon(0.5).optStepSize(0.2).optSteps(3)
                    .optDataRange(0, 1).build().perturb(trainer, x, y);
            assertThat(attacked.min().getFloat()).isGreaterThanOrEqualTo(0f);
            assertThat(attacked.max().getFloat()).isLessThanOrEqualTo(1f);
        }
    }

    @Test
    void pgdLeavesTheParameterGradientsAsTheyWere() {
        try (Model model = Model.newInstance("pgd-grad");
                Trainer trainer = newTrainer(model, SmoothAdversarialCompSumLoss.builder().build());
                NDManager manager = trainer.getManager().newSubManager()) {
            NDArray x = manager.randomNormal(new Shape(16, 4));
            NDArray y = cyclicTargets(manager);
            try (GradientCollector gc = trainer.newGradientCollector()) {
                NDArray logits = trainer.forward(new NDList(x)).singletonOrThrow();
                gc.backward(logits.square().sum());
            }
            List<double[]> before = gradients(model);
            AdversarialPerturbation.builder().optEpsilon(0.2).optStepSize(0.05).optSteps(5).build()
                    .perturb(trainer, x, y);
            List<double[]> after = gradients(model);
            for (int i = 0; i < before.size(); i++) {
                assertThat(after.get(i)).containsExactly(before.get(i));
            }
        }
    }

    private static List<double[]> gradients(Model model) {
        return model.getBlock().getParameters().stream().map(Pair::getValue).map(Parameter::getArray)
                .map(a -> {
                    try (NDArray g = a.getGradient()) {
                        return g.toType(DataType.FLOAT64, false).toDoubleArray();
                    }
                })
                .toList();
    }

    @Test
    void advCompSumTrainsEndToEndWithPgdWithoutLeakingArrays() {
        SmoothAdversarialCompSumLoss loss = SmoothAdversarialCompSumLoss.builder().optNu(0.5).build();
        AdversarialPerturbation pgd = AdversarialPerturbation.builder().optEpsilon(0.1).optStepSize(0.03)
                .optSteps(3).build();
        TrainingTask task = ClassificationTasks.blobs(4, 3, 16, 3, out -> out, (m, y, rng) -> new NDList(m.create(y)));
        Random rng = new Random(4);
        Engine.getInstance().setRandomSeed(4321);
        try (Model model = Model.newInstance("adv-comp-sum")) {
            model.setBlock(task.model());
            try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(loss)
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).build()))) {
                trainer.initialize(task.inputShape());
                double first = 0;
                double last = 0;
                int afterWarmUp = -1;
                for (int step = 0; step < 200; step++) {
                    try (NDManager batch = trainer.getManager().newSubManager()) {
                        NDList[] data = task.batch(batch, rng, step);
                        NDArray x = data[0].singletonOrThrow();
                        NDArray y = data[1].singletonOrThrow();
                        NDArray xAdv = pgd.perturb(trainer, x, y);
                        double value;
                        try (GradientCollector gc = trainer.newGradientCollector()) {
                            NDArray clean = trainer.forward(new NDList(x)).singletonOrThrow();
                            NDArray adv = trainer.forward(new NDList(xAdv)).singletonOrThrow();
                            NDArray l = loss.evaluate(new NDList(y), new NDList(clean, adv));
                            value = l.getFloat();
                            gc.backward(l);
                        }
                        trainer.step();
                        first += step < 10 ? value / 10 : 0;
                        last += step >= 190 ? value / 10 : 0;
                    }
                    if (step == 9) {
                        afterWarmUp = model.getNDManager().getManagedArrays().size();
                    }
                }
                assertThat(model.getNDManager().getManagedArrays().size())
                        .as("open arrays after 200 PGD + training steps vs after 10").isEqualTo(afterWarmUp);
                assertThat(last).as("mean loss of the last 10 steps vs the first 10").isLessThan(0.7 * first);
            }
        }
    }
}

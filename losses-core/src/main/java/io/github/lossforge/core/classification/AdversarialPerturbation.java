package io.github.lossforge.core.classification;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.util.Pair;
import io.github.lossforge.core.Scalar;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * Projected gradient ascent (PGD, ℓ∞) that produces the adversarial input x′ of {@link
 * SmoothAdversarialCompSumLoss} for a DJL {@link Block}: it approximately solves
 *
 * <p>\( x' = \arg\max_{\|x' - x\|_\infty \le \gamma} \sum_i \big\| \bar\Delta_h(x'_i, y_i) - \bar\Delta_h(x_i,
 * y_i) \big\|_2 \),
 *
 * <p>the smoothness term of the loss (TRADES-style: the attack maximises the regulariser, not the
 * classification loss). It starts at x + U(−γ, γ) (the norm has no useful gradient at x′ = x), then
 * takes {@code steps} steps x′ ← Π(x′ + α·sign(∇ₓ′)), projecting onto the γ-ball around x and, when set,
 * onto the data range [min, max]. The model runs in inference mode ({@code training = false}: batch
 * norm uses running statistics, dropout is off), as in TRADES.
 *
 * <p>Use it before opening the training {@link GradientCollector} (only one may be open at a time):
 *
 * <pre>{@code
 * NDArray xAdv = pgd.perturb(trainer, x, y);
 * try (GradientCollector gc = trainer.newGradientCollector()) {
 *     NDArray clean = trainer.forward(new NDList(x)).singletonOrThrow();
 *     NDArray adv = trainer.forward(new NDList(xAdv)).singletonOrThrow();
 *     gc.backward(loss.evaluate(new NDList(y), new NDList(clean, adv)));
 * }
 * trainer.step();
 * }</pre>
 *
 * <p>The attack's backward passes also reach the model's parameters; their gradients are restored to
 * what they were before the attack, so the training step sees only its own. Defaults: γ = 8/255, α =
 * 2/255, 10 steps, seed 42, no data range (the CIFAR protocol of TRADES, for inputs in [0, 1]).
 */
public final class AdversarialPerturbation {

    private final double epsilon;
    private final double stepSize;
    private final int steps;
    private final double min;
    private final double max;
    private final Random random;

    private AdversarialPerturbation(Builder b) {
        if (!(b.epsilon >= 0) || Double.isInfinite(b.epsilon)) {
            throw new IllegalArgumentException("adv-comp-sum PGD: epsilon must be a finite number ≥ 0, got "
                    + b.epsilon);
        }
        if (!(b.stepSize >= 0) || Double.isInfinite(b.stepSize)) {
            throw new IllegalArgumentException("adv-comp-sum PGD: stepSize must be a finite number ≥ 0, got "
                    + b.stepSize);
        }
        if (b.steps < 0) {
            throw new IllegalArgumentException("adv-comp-sum PGD: steps must be ≥ 0, got " + b.steps);
        }
        if (!(b.min <= b.max)) {
            throw new IllegalArgumentException("adv-comp-sum PGD: data range [" + b.min + ", " + b.max
                    + "] is empty");
        }
        this.epsilon = b.epsilon;
        this.stepSize = b.stepSize;
        this.steps = b.steps;
        this.min = b.min;
        this.max = b.max;
        this.random = new Random(b.seed);
    }

    /**
     * Starts a builder.
     *
     * @return a builder with the defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Crafts x′ for the model of a trainer, with the trainer's parameter store.
     *
     * @param trainer the trainer whose model's block is attacked
     * @param x clean inputs (N, …)
     * @param target class indices (N)
     * @return x′, same shape, dtype and manager as x, without gradient history
     */
    public NDArray perturb(Trainer trainer, NDArray x, NDArray target) {
        List<Pair<NDArray, NDArray>> saved = saveGradients(trainer.getModel().getBlock());
        try {
            return perturb(in -> trainer.evaluate(new NDList(in)).singletonOrThrow(), x, target);
        } finally {
            restoreGradients(saved);
        }
    }

    /**
     * Crafts x′ for a block.
     *
     * @param block the initialised model, mapping x to (N, C) logits
     * @param store the parameter store to run it with
     * @param x clean inputs (N, …)
     * @param target class indices (N)
     * @return x′, same shape, dtype and manager as x, without gradient history
     */
    public NDArray perturb(Block block, ParameterStore store, NDArray x, NDArray target) {
        List<Pair<NDArray, NDArray>> saved = saveGradients(block);
        try {
            return perturb(in -> block.forward(store, new NDList(in), false).singletonOrThrow(), x, target);
        } finally {
            restoreGradients(saved);
        }
    }

    /**
     * Crafts x′ for any differentiable function from inputs to logits. Gradients the function's own
     * parameters accumulate during the attack are left to the caller (the {@link Block} overloads
     * restore them).
     *
     * @param model maps inputs (N, …) to logits (N, C)
     * @param x clean inputs (N, …)
     * @param target class indices (N)
     * @return x′, same shape, dtype and manager as x, without gradient history
     */
    public NDArray perturb(UnaryOperator<NDArray> model, NDArray x, NDArray target) {
        try (NDManager scratch = x.getManager().newSubManager()) {
            NDArray clean = x.duplicate();
            clean.attach(scratch);
            NDArray cleanLogits = model.apply(clean);
            requireTargetsFor(cleanLogits, target);
            NDArray cleanMargins = ClassificationMath.marginVectors(cleanLogits, target).stopGradient();
            NDArray lower = Scalar.max(clean.sub(epsilon), min);
            NDArray upper = Scalar.min(clean.add(epsilon), max);
            NDArray adversarial = project(clean.add(uniformNoise(clean)), lower, upper);
            for (int step = 0; step < steps; step++) {
                NDArray leaf = adversarial.duplicate();
                leaf.setRequiresGradient(true);
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray objective = ClassificationMath.safeNorm(
                            ClassificationMath.marginVectors(model.apply(leaf), target).sub(cleanMargins)).sum();
                    collector.backward(objective);
                }
                NDArray ascent = Scalar.mul(leaf.getGradient().sign(), stepSize);
                adversarial = project(leaf.stopGradient().add(ascent), lower, upper);
            }
            NDArray result = adversarial.stopGradient();
            result.attach(x.getManager());
            return result;
        }
    }

    /** Checks that the targets are (N) class indices of the model's (N, C) logits. */
    private static void requireTargetsFor(NDArray logits, NDArray target) {
        Shape shape = logits.getShape();
        if (shape.dimension() != 2 || !target.getShape().equals(new Shape(shape.get(0)))) {
            throw new IllegalArgumentException("adv-comp-sum PGD: the model gives logits " + shape
                    + " for targets " + target.getShape() + ", expected (N, C) logits and (N) targets");
        }
        if (target.size() > 0) {
            long lo = target.min().toType(DataType.INT64, false).getLong();
            long hi = target.max().toType(DataType.INT64, false).getLong();
            if (lo < 0 || hi >= shape.get(1)) {
                throw new IllegalArgumentException("adv-comp-sum PGD: target holds class index "
                        + (lo < 0 ? lo : hi) + ", expected indices in [0, " + shape.get(1) + ")");
            }
        }
    }

    private static NDArray project(NDArray x, NDArray lower, NDArray upper) {
        return x.maximum(lower).minimum(upper);
    }

    private NDArray uniformNoise(NDArray like) {
        int size = Math.toIntExact(like.size());
        double[] noise = new double[size];
        synchronized (random) {
            for (int i = 0; i < size; i++) {
                noise[i] = epsilon * (2 * random.nextDouble() - 1);
            }
        }
        return Scalar.array(like, noise, like.getShape());
    }

    /** Copies of the parameters' gradients (zeros where none exists yet), keyed by parameter array. */
    private static List<Pair<NDArray, NDArray>> saveGradients(Block block) {
        List<Pair<NDArray, NDArray>> saved = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            Parameter parameter = p.getValue();
            if (parameter.isInitialized() && parameter.getArray().hasGradient()) {
                try (NDArray gradient = parameter.getArray().getGradient()) {
                    saved.add(new Pair<>(parameter.getArray(), gradient.duplicate()));
                }
            }
        }
        return saved;
    }

    /**
     * Writes the saved gradients back. The gradient is fetched again: before the first backward pass
     * PyTorch has none, and DJL then hands out a detached zero array instead of the real one.
     */
    private static void restoreGradients(List<Pair<NDArray, NDArray>> saved) {
        for (Pair<NDArray, NDArray> entry : saved) {
            try (NDArray gradient = entry.getKey().getGradient(); NDArray before = entry.getValue()) {
                gradient.subi(gradient).addi(before);
            }
        }
    }

    /** Builds an {@link AdversarialPerturbation}. */
    public static final class Builder {
        private double epsilon = 8.0 / 255;
        private double stepSize = 2.0 / 255;
        private int steps = 10;
        private long seed = 42;
        private double min = Double.NEGATIVE_INFINITY;
        private double max = Double.POSITIVE_INFINITY;

        private Builder() {}

        /**
         * Sets the ℓ∞ radius γ.
         *
         * @param epsilon ≥ 0 (default 8/255)
         * @return this
         */
        public Builder optEpsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        /**
         * Sets the step size α.
         *
         * @param stepSize ≥ 0 (default 2/255)
         * @return this
         */
        public Builder optStepSize(double stepSize) {
            this.stepSize = stepSize;
            return this;
        }

        /**
         * Sets the number of ascent steps.
         *
         * @param steps ≥ 0 (default 10; 0 returns the random start)
         * @return this
         */
        public Builder optSteps(int steps) {
            this.steps = steps;
            return this;
        }

        /**
         * Sets the seed of the random start.
         *
         * @param seed the seed (default 42)
         * @return this
         */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Sets the valid data range x′ is clamped to (e.g. [0, 1] for images).
         *
         * @param min the lower bound
         * @param max the upper bound
         * @return this
         */
        public Builder optDataRange(double min, double max) {
            this.min = min;
            this.max = max;
            return this;
        }

        /**
         * Builds the attack.
         *
         * @return the attack
         */
        public AdversarialPerturbation build() {
            return new AdversarialPerturbation(this);
        }
    }
}

package io.github.lossforge.diffusion;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import io.github.lossforge.core.Scalar;

import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * The latent-update loop of attention-guided diffusion (Attend-and-Excite, A-STAR, BACON): at
 * denoising step t the latent z is moved against the gradient of an attention loss, \( z \leftarrow
 * z - \alpha_t \nabla_z L(f_t(z)) \), where \( f_t \) maps the latent to the loss's predictions
 * (attention maps) through any DJL {@link Block} or function, and the gradient flows through it by
 * DJL's autograd. Iterative refinement: at the steps given in {@link Builder#optRefinement}, the
 * update is repeated until the loss is at most that step's target (or a maximum number of inner
 * steps is reached) before the regular update.
 *
 * <p>Use it per step inside your own denoising loop ({@link Session#step}), or run a whole schedule
 * with a denoiser between steps ({@link #run}). The attention function runs under a
 * {@link GradientCollector} opened here, so call it outside any other collector; freeze the model's
 * parameters ({@code block.freezeParameters(true)}) so only the latent receives a gradient.
 *
 * <p>Defaults are Attend-and-Excite's ({@link #attendAndExcite}): α_t = 20·√linspace(1, 0.5, 50)[t],
 * updates for t &lt; 25 of 50 steps, refinement at t ∈ {0, 10, 20} to loss targets {0.95, 0.5, 0.2}
 * (max attention ≥ {0.05, 0.5, 0.8}), at most 20 inner steps. A-STAR and BACON give no step sizes;
 * we use the same α_t. A-STAR updates at every step (the paper reports that guiding only the first
 * steps loses concepts): use {@code optSteps(50, 50)} with {@link LabelSource#binarizedPrevious}.
 */
public final class LatentGuidance {

    /** Maps the latent at a step to the loss's predictions (attention maps). */
    @FunctionalInterface
    public interface AttentionFunction {
        /**
         * Computes the predictions; must be differentiable in {@code latent}.
         *
         * @param latent the latent (requires a gradient)
         * @param step the denoising step
         * @return the loss's prediction slots
         */
        NDList apply(NDArray latent, int step);

        /**
         * An attention function that runs a block's forward pass (inference mode) on the latent.
         *
         * @param block the block, initialised; its output is the prediction slots
         * @return the function
         */
        static AttentionFunction of(Block block) {
            return (latent, step) -> block.forward(new ParameterStore(latent.getManager(), false),
                    new NDList(latent), false);
        }
    }

    /** Gives the loss's label slots at a step. */
    @FunctionalInterface
    public interface LabelSource {
        /**
         * The labels for this evaluation.
         *
         * @param step the denoising step
         * @param current the predictions just computed
         * @param previous the detached predictions of the previous step's first evaluation, or null
         *     at the first step
         * @return the label slots
         */
        NDList labels(int step, NDList current, @Nullable NDList previous);

        /**
         * The same labels at every step (e.g. BACON's layout masks, Attend-and-Excite's token indices).
         *
         * @param labels the labels
         * @return the source
         */
        static LabelSource fixed(NDList labels) {
            return (step, current, previous) -> labels;
        }

        /**
         * A-STAR's retention masks: predictions[0] of the previous step binarised with {@link
         * AttentionMaps#binarize} (the current maps at the first step).
         *
         * @param threshold the binarisation threshold, a fraction of each map's maximum
         * @return the source
         */
        static LabelSource binarizedPrevious(double threshold) {
            return (step, current, previous) -> new NDList(
                    AttentionMaps.binarize((previous == null ? current : previous).get(0), threshold));
        }
    }

    /** The step size α_t. */
    @FunctionalInterface
    public interface StepSize {
        /**
         * α at a step.
         *
         * @param step the denoising step
         * @return α_t
         */
        double at(int step);

        /**
         * Attend-and-Excite's schedule: 20·√linspace(1, 0.5, steps)[t].
         *
         * @param steps the number of denoising steps
         * @return the schedule
         */
        static StepSize attendAndExcite(int steps) {
            return t -> 20 * Math.sqrt(1 - 0.5 * t / Math.max(1, steps - 1));
        }
    }

    /**
     * What one guided run did.
     *
     * @param latent the final latent
     * @param losses the loss before each regular update, one per guided step
     * @param refinementSteps the number of inner refinement updates in all
     */
    public record Result(NDArray latent, List<Double> losses, int refinementSteps) {}

    private final Loss loss;
    private final AttentionFunction attention;
    private final LabelSource labels;
    private final StepSize stepSize;
    private final int steps;
    private final int guidedSteps;
    private final Map<Integer, Double> refinementTargets;
    private final int maxRefinementSteps;

    private LatentGuidance(Builder b) {
        this.loss = Objects.requireNonNull(b.loss, "LatentGuidance: setLoss is required");
        this.attention = Objects.requireNonNull(b.attention, "LatentGuidance: setAttention is required");
        this.labels = Objects.requireNonNull(b.labels, "LatentGuidance: labels");
        this.stepSize = Objects.requireNonNull(b.stepSize, "LatentGuidance: stepSize");
        if (b.steps < 1 || b.guidedSteps < 0 || b.guidedSteps > b.steps || b.maxRefinementSteps < 0) {
            throw new IllegalArgumentException("LatentGuidance: expected steps >= 1, 0 <= guidedSteps <= steps and"
                    + " maxRefinementSteps >= 0, got " + b.steps + ", " + b.guidedSteps + ", " + b.maxRefinementSteps);
        }
        this.steps = b.steps;
        this.guidedSteps = b.guidedSteps;
        this.refinementTargets = Collections.unmodifiableMap(new TreeMap<>(b.refinementTargets));
        this.maxRefinementSteps = b.maxRefinementSteps;
    }

    /**
     * Starts a builder with Attend-and-Excite's schedule.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder preset to Attend-and-Excite's loop: 50 steps, updates for t &lt; 25 with α_t =
     * 20·√linspace(1, 0.5, 50)[t], refinement at t ∈ {0, 10, 20} to loss targets 1 − {0.05, 0.5, 0.8}
     * with at most 20 inner steps.
     *
     * @param loss the loss, e.g. {@link AttendExciteLoss}
     * @param attention the attention function
     * @param tokenIndices the token indices (labels[0])
     * @return the builder
     */
    public static Builder attendAndExcite(Loss loss, AttentionFunction attention, NDArray tokenIndices) {
        return builder().setLoss(loss).setAttention(attention)
                .optLabels(LabelSource.fixed(new NDList(tokenIndices)));
    }

    /**
     * Opens a session (the state of one denoising run: the previous step's predictions).
     *
     * @param manager the manager that owns the session's state and the latents it returns
     * @return the session, to close after the run
     */
    public Session newSession(NDManager manager) {
        return new Session(manager);
    }

    /**
     * Runs the whole schedule: at each step t the guided update ({@link Session#step}), then {@code
     * denoise(z, t)} gives the next latent.
     *
     * @param latent the initial latent (not modified)
     * @param denoise the denoiser between steps (identity for a fixed latent)
     * @return the result, its latent attached to the latent's manager
     */
    public Result run(NDArray latent, BiFunction<NDArray, Integer, NDArray> denoise) {
        List<Double> losses = new ArrayList<>();
        int inner = 0;
        NDManager owner = latent.getManager();
        try (Session session = newSession(owner)) {
            NDArray z = latent;
            for (int t = 0; t < steps; t++) {
                NDArray guided = session.step(z, t);
                NDArray next = denoise.apply(guided, t);
                if (guided != next && guided != latent) {
                    guided.close();
                }
                if (z != latent && z != guided && z != next) {
                    z.close();
                }
                z = next;
            }
            losses.addAll(session.losses);
            inner = session.refinementSteps;
            return new Result(z, List.copyOf(losses), inner);
        }
    }

    /** The state of one denoising run. */
    public final class Session implements AutoCloseable {
        private final NDManager owner;
        private final NDManager state;
        private @Nullable NDList previous;
        private final List<Double> losses = new ArrayList<>();
        private int refinementSteps;

        private Session(NDManager owner) {
            this.owner = owner;
            this.state = owner.newSubManager();
        }

        /**
         * One denoising step's guidance: refinement when t has a target, then the regular update when
         * t &lt; guidedSteps. Steps beyond both return the latent unchanged.
         *
         * @param latent z_t (not modified)
         * @param t the step
         * @return the updated latent, attached to the session's manager (the same array when nothing
         *     was updated)
         */
        public NDArray step(NDArray latent, int t) {
            NDArray z = latent;
            boolean first = true;
            Double target = refinementTargets.get(t);
            if (target != null) {
                for (int i = 0; i < maxRefinementSteps; i++) {
                    Update u = update(z, t, first);
                    first = false;
                    if (u.loss <= target) {
                        u.next.close();
                        break;
                    }
                    z = replace(z, latent, u.next);
                    refinementSteps++;
                }
            }
            if (t < guidedSteps) {
                Update u = update(z, t, first);
                losses.add(u.loss);
                z = replace(z, latent, u.next);
            }
            return z;
        }

        private NDArray replace(NDArray old, NDArray original, NDArray next) {
            if (old != original) {
                old.close();
            }
            return next;
        }

        /** The loss at z and z − α_t ∇_z L; every temporary (labels included) dies in a scope. */
        private Update update(NDArray z, int t, boolean remember) {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray leaf = z.duplicate();
                leaf.setRequiresGradient(true);
                double value;
                NDArray next;
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDList predictions = attention.apply(leaf, t);
                    NDList given = labels.labels(t, predictions, previous);
                    // A LossForge loss unregisters its result from its own scope, so it outlives
                    // ours: close it here.
                    try (NDArray lossValue = loss.evaluate(given, predictions)) {
                        NDArray total = lossValue.sum();
                        value = total.toType(DataType.FLOAT64, false).getDouble();
                        if (remember) {
                            remember(predictions);
                        }
                        collector.backward(total);
                    }
                    next = z.sub(Scalar.mul(leaf.getGradient(), stepSize.at(t)));
                }
                NDScope.unregister(next);
                next.attach(owner);
                return new Update(value, next);
            }
        }

        private void remember(NDList predictions) {
            NDList kept = new NDList();
            for (NDArray p : predictions) {
                NDArray copy = p.stopGradient().duplicate();
                NDScope.unregister(copy);
                copy.attach(state);
                kept.add(copy);
            }
            if (previous != null) {
                previous.close();
            }
            previous = kept;
        }

        @Override
        public void close() {
            state.close();
        }
    }

    private record Update(double loss, NDArray next) {}

    /** Builds a {@link LatentGuidance}. */
    public static final class Builder {
        private Loss loss;
        private AttentionFunction attention;
        private LabelSource labels = LabelSource.fixed(new NDList());
        private StepSize stepSize = StepSize.attendAndExcite(50);
        private int steps = 50;
        private int guidedSteps = 25;
        private Map<Integer, Double> refinementTargets = Map.of(0, 0.95, 10, 0.5, 20, 0.2);
        private int maxRefinementSteps = 20;

        private Builder() {}

        /**
         * Sets the loss (any DJL loss; its value is summed when it returns several).
         *
         * @param loss the loss
         * @return this
         */
        public Builder setLoss(Loss loss) {
            this.loss = loss;
            return this;
        }

        /**
         * Sets the function from latent to the loss's predictions.
         *
         * @param attention the function
         * @return this
         */
        public Builder setAttention(AttentionFunction attention) {
            this.attention = attention;
            return this;
        }

        /**
         * Sets the attention function to a block's forward pass.
         *
         * @param block the initialised block
         * @return this
         */
        public Builder setAttention(Block block) {
            return setAttention(AttentionFunction.of(block));
        }

        /**
         * Sets where the labels come from (default: none).
         *
         * @param labels the source
         * @return this
         */
        public Builder optLabels(LabelSource labels) {
            this.labels = labels;
            return this;
        }

        /**
         * Sets α_t (default Attend-and-Excite's for 50 steps).
         *
         * @param stepSize the schedule
         * @return this
         */
        public Builder optStepSize(StepSize stepSize) {
            this.stepSize = stepSize;
            return this;
        }

        /**
         * Sets the number of denoising steps of {@link #run} and how many of the first ones are guided.
         *
         * @param steps total steps (default 50)
         * @param guidedSteps the guided ones, from step 0 (default 25)
         * @return this
         */
        public Builder optSteps(int steps, int guidedSteps) {
            this.steps = steps;
            this.guidedSteps = guidedSteps;
            return this;
        }

        /**
         * Sets the iterative refinement: at each listed step the update repeats until the loss is at
         * most the step's target.
         *
         * @param lossTargets step → loss target (default {0: 0.95, 10: 0.5, 20: 0.2}); empty for none
         * @param maxSteps the most inner updates per refinement (default 20)
         * @return this
         */
        public Builder optRefinement(Map<Integer, Double> lossTargets, int maxSteps) {
            this.refinementTargets = Map.copyOf(lossTargets);
            this.maxRefinementSteps = maxSteps;
            return this;
        }

        /**
         * Builds the loop.
         *
         * @return the loop
         */
        public LatentGuidance build() {
            return new LatentGuidance(this);
        }
    }
}

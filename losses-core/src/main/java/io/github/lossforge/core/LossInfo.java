package io.github.lossforge.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What the registry knows about one loss: id, class, paper, parameters with defaults, slots, and how
 * to build it from checked parameters. Every loss class publishes one as {@code INFO}.
 */
public final class LossInfo {

    /** The key of the reduction parameter every loss takes. */
    public static final String REDUCTION = "reduction";

    private final String id;
    private final Class<? extends BaseLoss> lossClass;
    private final String paper;
    private final List<ParamSpec> parameters;
    private final List<String> predictionSlots;
    private final List<String> labelSlots;
    private final Function<LossParams, BaseLoss> factory;
    private final boolean classifierLoss;
    private final String example;

    /** The command that trains a drop-in classifier loss, followed by its id. */
    static final String DEMO_COMMAND = "lossforge demo --loss ";

    private LossInfo(Builder b) {
        this.id = Objects.requireNonNull(b.id);
        this.lossClass = Objects.requireNonNull(b.lossClass);
        this.paper = Objects.requireNonNull(b.paper, "paper");
        List<ParamSpec> params = new ArrayList<>(b.parameters);
        params.add(ParamSpec.word(REDUCTION, Reduction.MEAN.key(), b.reductions, b.reductions.size() == 1
                ? "mean only: the loss is batch-level (one value per batch)"
                : "how per-sample values are reduced"));
        this.parameters = Collections.unmodifiableList(params);
        this.predictionSlots = List.copyOf(b.predictionSlots);
        this.labelSlots = List.copyOf(b.labelSlots);
        this.factory = Objects.requireNonNull(b.factory, "factory");
        this.classifierLoss = b.classifierLoss;
        this.example = b.example.isEmpty() && b.classifierLoss ? DEMO_COMMAND + id : b.example;
    }

    /**
     * Starts the description of a loss.
     *
     * @param id the registry id
     * @param lossClass the loss class
     * @return a builder
     */
    public static Builder builder(String id, Class<? extends BaseLoss> lossClass) {
        return new Builder(id, lossClass);
    }

    /**
     * The registry id.
     *
     * @return the id
     */
    public String id() {
        return id;
    }

    /**
     * The loss class.
     *
     * @return the class
     */
    public Class<? extends BaseLoss> lossClass() {
        return lossClass;
    }

    /**
     * The paper the loss comes from: authors, title, year, arXiv id.
     *
     * @return the citation
     */
    public String paper() {
        return paper;
    }

    /**
     * The parameters, {@code reduction} last.
     *
     * @return the parameters
     */
    public List<ParamSpec> parameters() {
        return parameters;
    }

    /**
     * What each prediction slot holds, with shapes, e.g. {@code P0 logits (N,C)}.
     *
     * @return one line per slot
     */
    public List<String> predictionSlots() {
        return predictionSlots;
    }

    /**
     * What each label slot holds, with shapes.
     *
     * @return one line per slot
     */
    public List<String> labelSlots() {
        return labelSlots;
    }

    /**
     * Whether the loss drops into a classifier as it is: predictions[0] (N, C) scores, labels[0] (N)
     * int64 class indices, nothing else (the {@code lossforge demo} task).
     *
     * @return true for such losses
     */
    public boolean classifierLoss() {
        return classifierLoss;
    }

    /**
     * Where to see the loss in use: what goes in and the command that runs a runnable example with it
     * ({@code examples/run-examples.sh NAME …} or a {@code lossforge} command); for a drop-in
     * classifier loss without its own example, {@code lossforge demo --loss ID}.
     *
     * @return the hint, or an empty string when there is none
     */
    public String example() {
        return example;
    }

    /**
     * Builds the loss from parameter values (any subset; the rest take their defaults).
     *
     * @param given parameter values by key
     * @return the loss
     * @throws IllegalArgumentException for an unknown key, a wrongly typed value or a missing required one
     */
    public BaseLoss create(Map<String, ?> given) {
        Map<String, ParamSpec> byName = new LinkedHashMap<>();
        for (ParamSpec p : parameters) {
            byName.put(p.name(), p);
        }
        for (String key : given.keySet()) {
            if (!byName.containsKey(key)) {
                throw new IllegalArgumentException(
                        id + ": unknown parameter '" + key + "', valid parameters: "
                                + String.join(", ", byName.keySet()));
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (ParamSpec p : parameters) {
            Object v = given.get(p.name());
            if (v == null) {
                if (p.required()) {
                    throw new IllegalArgumentException(
                            id + ": parameter '" + p.name() + "' is required (" + p.description() + ")");
                }
                values.put(p.name(), p.defaultValue());
            } else {
                values.put(p.name(), p.accept(id, v));
            }
        }
        return factory.apply(new LossParams(id, values));
    }

    @Override
    public String toString() {
        return id + " (" + lossClass.getSimpleName() + "): "
                + parameters.stream().map(ParamSpec::toString).collect(Collectors.joining(", "));
    }

    /** Builds a {@link LossInfo}. */
    public static final class Builder {
        private final String id;
        private final Class<? extends BaseLoss> lossClass;
        private String paper;
        private final List<ParamSpec> parameters = new ArrayList<>();
        private final List<String> predictionSlots = new ArrayList<>();
        private final List<String> labelSlots = new ArrayList<>();
        private List<String> reductions = List.of("mean", "sum", "none");
        private Function<LossParams, BaseLoss> factory;
        private boolean classifierLoss;
        private String example = "";

        private Builder(String id, Class<? extends BaseLoss> lossClass) {
            this.id = id;
            this.lossClass = lossClass;
        }

        /**
         * Sets the citation.
         *
         * @param paper authors, title, year, arXiv id
         * @return this
         */
        public Builder paper(String paper) {
            this.paper = paper;
            return this;
        }

        /**
         * Adds a parameter.
         *
         * @param spec the parameter
         * @return this
         */
        public Builder param(ParamSpec spec) {
            parameters.add(spec);
            return this;
        }

        /**
         * Adds parameters that several losses share (a family's builder base publishes them).
         *
         * @param specs the parameters, in order
         * @return this
         */
        public Builder params(List<ParamSpec> specs) {
            parameters.addAll(specs);
            return this;
        }

        /**
         * Adds a prediction slot description.
         *
         * @param slot e.g. {@code P0 logits (N,C)}
         * @return this
         */
        public Builder prediction(String slot) {
            predictionSlots.add(slot);
            return this;
        }

        /**
         * Adds a label slot description.
         *
         * @param slot e.g. {@code L0 target (N) int64}
         * @return this
         */
        public Builder label(String slot) {
            labelSlots.add(slot);
            return this;
        }

        /**
         * Marks the loss batch-level: one value per batch, so {@code mean} is its only reduction.
         *
         * @return this
         */
        public Builder batchLevel() {
            reductions = List.of("mean");
            return this;
        }

        /**
         * Marks the loss as a drop-in classifier loss: (N, C) scores and (N) class indices.
         *
         * @return this
         */
        public Builder classifierLoss() {
            this.classifierLoss = true;
            return this;
        }

        /**
         * Names the runnable example that shows the loss: what goes in and the command, e.g. {@code
         * "segmentation logits: examples/run-examples.sh segmentation.RingSegmentation"}; never a test
         * class (tests are not shipped). Drop-in classifier losses default to {@code lossforge demo}.
         *
         * @param example e.g. {@code lossforge guide-demo}
         * @return this
         */
        public Builder example(String example) {
            this.example = example;
            return this;
        }

        /**
         * Sets how the loss is built from checked parameters.
         *
         * @param factory the factory
         * @return this
         */
        public Builder factory(Function<LossParams, BaseLoss> factory) {
            this.factory = factory;
            return this;
        }

        /**
         * Builds the info.
         *
         * @return the info
         */
        public LossInfo build() {
            return new LossInfo(this);
        }
    }
}

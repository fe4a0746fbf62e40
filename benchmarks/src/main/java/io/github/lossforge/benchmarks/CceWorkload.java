package io.github.lossforge.benchmarks;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.github.lossforge.core.Scalar;

import java.util.List;

/**
 * The inputs of one benchmark shape, float32, seeded, shaped like a trained language-model head
 * rather than a random one (on random untrained inputs every probability is about 1/V, nothing is
 * ever filtered, and the loss is log V):
 *
 * <ul>
 *   <li>token frequencies follow Zipf's law over a random permutation of the vocabulary (rank r has
 *       probability ∝ 1/(r+1)), and targets are drawn from it;
 *   <li>each classifier row is c_v = a_v + {@value #FREQUENCY_WEIGHT}·log(1/(r_v+1))·g, a random part
 *       a_v ~ N(0, 1/4)^D plus a log-frequency component along one shared unit direction g, so rare
 *       tokens score low in every context;
 *   <li>each embedding is e_i = {@value #CONTEXT_WEIGHT}·a_{y_i}/‖a‖² · {@value #TARGET_MARGIN} + g
 *       plus N(0, 0.05²) noise: it points at its target, and along g.
 * </ul>
 *
 * <p>The exact paths do the same work on any input; only what filtering skips depends on this.
 */
public final class CceWorkload implements AutoCloseable {

    /** Weight of the log-frequency component of the classifier rows. */
    public static final double FREQUENCY_WEIGHT = 1.0;

    /** Weight of the shared frequency direction in the embeddings: how sharply rare tokens are suppressed. */
    public static final double FREQUENCY_SHARPNESS = 4.0;

    /** Weight of the target direction in the embeddings. */
    public static final double CONTEXT_WEIGHT = 1.0;

    /** The typical logit of the target over a random token from its context component. */
    public static final double TARGET_MARGIN = 30.0;

    private final NDManager manager;
    private final NDArray embeddings;
    private final NDArray classifier;
    private final NDArray targets;

    /**
     * Creates the inputs.
     *
     * @param shape the shape
     * @param seed the random seed
     */
    public CceWorkload(CceShape shape, long seed) {
        this.manager = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed((int) seed);
        int v = shape.v();
        int d = shape.d();
        NDArray g = manager.randomNormal(new Shape(d));
        g = g.div(g.norm());
        NDArray ranks = manager.randomPermutation(v).toType(DataType.FLOAT32, false);
        NDArray logFrequency = ranks.add(1).log().neg();
        NDArray random = manager.randomNormal(0, 0.5f, new Shape(v, d), DataType.FLOAT32);
        NDArray c = random.add(Scalar.mul(logFrequency.expandDims(1), FREQUENCY_WEIGHT).mul(g.expandDims(0)));
        // Zipf(1) targets: rank = ⌊(V+1)^U⌋ − 1 for U uniform, mapped back to the vocabulary ids
        NDArray u = manager.randomUniform(0, 1, new Shape(shape.n()), DataType.FLOAT32);
        NDArray rank = Scalar.mul(u, Math.log(v + 1.0)).exp().floor().sub(1);
        rank = Scalar.min(Scalar.max(rank, 0), v - 1.0).toType(DataType.INT64, false);
        NDArray vocabularyOfRank = ranks.argSort();
        NDArray t = vocabularyOfRank.get(new NDIndex("{}", rank));
        double rowNormSquared = 0.25 * d;
        NDArray e = Scalar.mul(random.get(new NDIndex("{}", t)), CONTEXT_WEIGHT * TARGET_MARGIN / rowNormSquared)
                .add(Scalar.mul(g, FREQUENCY_SHARPNESS).expandDims(0))
                .add(manager.randomNormal(0, 0.05f, new Shape(shape.n(), d), DataType.FLOAT32));
        this.classifier = c;
        this.embeddings = e;
        this.targets = t;
        closeTemporaries();
        classifier.setRequiresGradient(true);
        embeddings.setRequiresGradient(true);
    }

    /**
     * The forward pass only (no autograd recording), the value read back.
     *
     * @param variant what to run
     * @return the loss value
     */
    public float forward(CceVariant variant) {
        try {
            return variant.loss(embeddings, classifier, targets).getFloat();
        } finally {
            closeTemporaries();
        }
    }

    /**
     * Forward and backward (gradients of E and C), the value read back.
     *
     * @param variant what to run
     * @return the loss value
     */
    public float forwardBackward(CceVariant variant) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray value = variant.loss(embeddings, classifier, targets);
            float v = value.getFloat();
            collector.backward(value);
            return v;
        } finally {
            closeTemporaries();
        }
    }

    /**
     * The embeddings (for inspection).
     *
     * @return E (N, D)
     */
    public NDArray embeddings() {
        return embeddings;
    }

    /**
     * The classifier (for inspection).
     *
     * @return C (V, D)
     */
    public NDArray classifier() {
        return classifier;
    }

    /**
     * The targets (for inspection).
     *
     * @return (N) int64
     */
    public NDArray targets() {
        return targets;
    }

    /** Closes every array of the run but the inputs (their gradients stay allocated, as in training). */
    private void closeTemporaries() {
        for (NDArray a : List.copyOf(manager.getManagedArrays())) {
            if (a != embeddings && a != classifier && a != targets) {
                a.close();
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}

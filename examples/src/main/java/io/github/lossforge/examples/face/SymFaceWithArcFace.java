package io.github.lossforge.examples.face;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.Pair;
import io.github.lossforge.contrastive.face.MarginSoftmaxLoss;
import io.github.lossforge.contrastive.face.SymFaceLoss;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.examples.support.ExampleArgs;
import io.github.lossforge.examples.support.ExampleResult;

import java.util.Random;
import java.util.Set;

/**
 * SymFace trained the way its paper does, beside ArcFace: \( L = L_{ArcFace}(f(x), W, y) + \lambda\,
 * L_{sym}(f(x_L), f(\bar x_R)) \), one backbone f for the full face x, its left half x_L and its
 * mirrored right half \( \bar x_R \) (the other half masked to 0).
 *
 * <p>The "faces" are generated: identity c has a half-face pattern μ_c; a face's left half is μ_c plus
 * noise, its (mirrored) right half is μ_c plus noise plus a lighting offset that differs between the
 * halves. ArcFace separates the identities; SymFace pulls the two half embeddings together, which
 * the lighting offset would otherwise keep apart.
 */
public final class SymFaceWithArcFace {

    private static final int HALF = 6;
    private static final int EMBEDDING = 8;
    private static final double LEARNING_RATE = 0.05;

    private final int identities;
    private final double symmetryWeight;
    private final double[][] patterns;
    private final Random rng;

    /**
     * A generated face set.
     *
     * @param identities the number of identities (classes)
     * @param symmetryWeight λ of the symmetry term (0 trains ArcFace alone)
     * @param seed the seed of the data and the initialisation
     */
    public SymFaceWithArcFace(int identities, double symmetryWeight, long seed) {
        this.identities = identities;
        this.symmetryWeight = symmetryWeight;
        this.rng = new Random(seed);
        this.patterns = new double[identities][HALF];
        for (double[] p : patterns) {
            for (int k = 0; k < HALF; k++) {
                p[k] = 2 * rng.nextGaussian();
            }
        }
        Engine.getInstance().setRandomSeed((int) seed);
    }

    /** What a training run measured. */
    public record Result(double accuracyBefore, double accuracyAfter, double symmetryBefore, double symmetryAfter) {}

    /**
     * Trains the backbone and the class weights and measures identification accuracy (nearest class
     * weight by cosine) and the symmetry loss on fresh faces before and after.
     *
     * @param steps SGD steps of 32 faces
     * @return the measurements
     */
    public Result train(int steps) {
        MarginSoftmaxLoss arcFace = MarginSoftmaxLoss.arcFace().optScale(16).optMargin(0.3).build();
        SymFaceLoss symFace = SymFaceLoss.builder().build();
        try (NDManager manager = NDManager.newBaseManager()) {
            Block backbone = new SequentialBlock()
                    .add(Linear.builder().setUnits(32).build())
                    .add(Activation::relu)
                    .add(Linear.builder().setUnits(EMBEDDING).build());
            backbone.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
            backbone.initialize(manager, DataType.FLOAT32, new Shape(1, 2 * HALF));
            ParameterStore store = new ParameterStore(manager, false);
            NDArray classWeights = manager.randomNormal(new Shape(identities, EMBEDDING));
            classWeights.setRequiresGradient(true);
            Result before = measure(manager, backbone, store, classWeights, symFace);
            for (int step = 0; step < steps; step++) {
                try (NDManager batch = manager.newSubManager()) {
                    Faces f = faces(batch, 32);
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray full = embed(backbone, store, f.full);
                        NDArray loss = arcFace.evaluate(new NDList(f.labels), new NDList(full, classWeights));
                        if (symmetryWeight > 0) {
                            NDArray symmetry = symFace.evaluate(new NDList(),
                                    new NDList(embed(backbone, store, f.left), embed(backbone, store, f.right)));
                            loss = loss.add(Scalar.mul(symmetry, symmetryWeight));
                        }
                        collector.backward(loss);
                    }
                    sgdStep(backbone, classWeights);
                }
            }
            Result after = measure(manager, backbone, store, classWeights, symFace);
            return new Result(before.accuracyBefore, after.accuracyBefore, before.symmetryBefore, after.symmetryBefore);
        }
    }

    private static NDArray embed(Block backbone, ParameterStore store, NDArray x) {
        return backbone.forward(store, new NDList(x), true).singletonOrThrow();
    }

    private static void sgdStep(Block backbone, NDArray classWeights) {
        for (Pair<String, Parameter> p : backbone.getParameters()) {
            NDArray w = p.getValue().getArray();
            w.subi(Scalar.mul(w.getGradient(), LEARNING_RATE));
            w.getGradient().subi(w.getGradient());
        }
        classWeights.subi(Scalar.mul(classWeights.getGradient(), LEARNING_RATE));
        classWeights.getGradient().subi(classWeights.getGradient());
    }

    private Result measure(NDManager manager, Block backbone, ParameterStore store, NDArray classWeights,
            SymFaceLoss symFace) {
        try (NDManager m = manager.newSubManager()) {
            Faces f = faces(m, 400);
            NDArray full = embed(backbone, store, f.full).stopGradient();
            NDArray w = classWeights.stopGradient();
            NDArray cosines = full.div(full.norm(new int[] {1}, true)).matMul(w.div(w.norm(new int[] {1}, true)).transpose());
            double accuracy = cosines.argMax(1).eq(f.labels).sum().getLong() / 400.0;
            double symmetry = symFace.evaluate(new NDList(), new NDList(
                    embed(backbone, store, f.left).stopGradient(), embed(backbone, store, f.right).stopGradient()))
                    .getFloat();
            return new Result(accuracy, accuracy, symmetry, symmetry);
        }
    }

    /** A batch of generated faces: full faces, left halves, mirrored right halves, identities. */
    private record Faces(NDArray full, NDArray left, NDArray right, NDArray labels) {}

    private Faces faces(NDManager m, int n) {
        float[] full = new float[n * 2 * HALF];
        float[] left = new float[n * 2 * HALF];
        float[] right = new float[n * 2 * HALF];
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            int c = rng.nextInt(identities);
            labels[i] = c;
            double lighting = 1.5 + 0.5 * rng.nextGaussian();
            for (int k = 0; k < HALF; k++) {
                float l = (float) (patterns[c][k] + 0.4 * rng.nextGaussian());
                float r = (float) (patterns[c][k] + 0.4 * rng.nextGaussian() + lighting);
                full[i * 2 * HALF + k] = l;
                full[i * 2 * HALF + HALF + k] = r;
                left[i * 2 * HALF + k] = l;
                right[i * 2 * HALF + k] = r;
            }
        }
        Shape s = new Shape(n, 2 * HALF);
        return new Faces(m.create(full, s), m.create(left, s), m.create(right, s), m.create(labels, new Shape(n)));
    }

    /**
     * Trains ArcFace alone and ArcFace + SymFace on the same generated faces and prints both.
     *
     * <p>Run: {@code examples/run-examples.sh face.SymFaceWithArcFace [--quick]}.
     *
     * @param args {@code [--quick]}: 100 steps instead of 300
     */
    public static void main(String[] args) {
        int steps = ExampleArgs.parse("face.SymFaceWithArcFace", "", args, Set.of()).quick() ? 100 : 300;
        Result[] r = new Result[2];
        for (int k = 0; k < 2; k++) {
            r[k] = new SymFaceWithArcFace(4, k, 7).train(steps);
            System.out.printf("arcface%s: accuracy %.3f -> %.3f, symmetry loss %.3f -> %.3f%n",
                    k > 0 ? " + symface" : "", r[k].accuracyBefore(), r[k].accuracyAfter(), r[k].symmetryBefore(),
                    r[k].symmetryAfter());
        }
        ExampleResult.report(String.format("arcface + symface: accuracy %.3f, symmetry loss %.3f (arcface alone: %.3f)",
                r[1].accuracyAfter(), r[1].symmetryAfter(), r[0].symmetryAfter()),
                r[1].accuracyAfter() > 0.9 && r[1].symmetryAfter() < r[0].symmetryAfter(),
                "arcface separates the identities and symface pulls the half-face embeddings together");
    }
}

package io.github.lossforge.examples.lm;

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
import ai.djl.training.loss.Loss;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Losses;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.lm.CutCrossEntropyLoss;
import io.github.lossforge.core.sequence.SequenceLogProb;
import io.github.lossforge.examples.support.AdamUpdater;
import io.github.lossforge.examples.support.ExampleArgs;
import io.github.lossforge.examples.support.ExampleResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A tiny language model whose output head is trained with Cut Cross-Entropy: a context encoder maps
 * the previous {@value #CONTEXT} tokens (one-hot) to a hidden state h (D = 32), and the head (classifier
 * C (V, D), bias b (V)) is never applied as a matrix of logits: {@code cce} takes (h, C, b) and the
 * next tokens and computes \( \mathrm{mean}_i\,[\log\sum_v e^{h_i\cdot C_v + b_v} - (h_i\cdot C_{y_i} +
 * b_{y_i})] \) block by block. The tokens come from a generated grammar ({@link ToyGrammar}).
 *
 * <p>Prints the held-out loss and perplexity before and after training, and checks that {@code cce}
 * agrees with the materialised-logits path (h C<sup>T</sup> + b, then DJL's softmax cross-entropy) in
 * value and in the gradient of C.
 *
 * <p>{@code --loss z-loss-spherical-linear} trains the head with the spherical Z-loss computed from
 * (h, C, b) without the N×V outputs instead, checked against {@code z-loss-spherical} on the
 * materialised outputs; it prints the top-1 next-token accuracy.
 *
 * <p>{@code --loss dco} trains on the materialised logits with Direct Coverage Optimization, each
 * answer being the next token: \( -\log(1 - (1 - p)^{16}) \) with p its probability ({@code
 * SequenceLogProb} of the one-token answer); it prints the held-out pass@16 coverage \( 1 - (1 - p)^{16}
 * \) as a geometric mean over the tokens (e<sup>−loss</sup>, what the loss maximises) and the top-1
 * accuracy.
 *
 * <p>Run: {@code examples/run-examples.sh lm.TinyLanguageModel [--quick] [--loss ID]}.
 */
public final class TinyLanguageModel {

    /** Tokens of context the model sees. */
    static final int CONTEXT = 3;

    /** The head losses this example trains with. */
    public static final List<String> LOSSES = List.of(CutCrossEntropyLoss.ID, "z-loss-spherical-linear",
            "dco");

    private static final int HIDDEN = 32;

    /** The pass@N budget of {@code dco} (its default {@code n}). */
    private static final int PASS_AT = 16;

    private TinyLanguageModel() {
    }

    /** Contexts (one-hot, N × CONTEXT·V) and next tokens (N). */
    record Windows(NDArray contexts, NDArray targets) {}

    static Windows windows(NDManager m, int[] stream, int from, int count, int vocabulary) {
        float[] x = new float[count * CONTEXT * vocabulary];
        long[] y = new long[count];
        for (int i = 0; i < count; i++) {
            int t = from + i + CONTEXT;
            for (int k = 0; k < CONTEXT; k++) {
                x[(i * CONTEXT + k) * vocabulary + stream[t - CONTEXT + k]] = 1;
            }
            y[i] = stream[t];
        }
        return new Windows(m.create(x, new Shape(count, (long) CONTEXT * vocabulary)), m.create(y, new Shape(count)));
    }

    /** The model: a context encoder and the head's classifier and bias. */
    record Model(Block encoder, NDArray classifier, NDArray bias, ParameterStore store) {
        NDArray hidden(NDArray contexts, boolean training) {
            return encoder.forward(store, new NDList(contexts), training).singletonOrThrow();
        }
    }

    static Model newModel(NDManager manager, int vocabulary) {
        Block encoder = new SequentialBlock()
                .add(Linear.builder().setUnits(64).build())
                .add(Activation::tanh)
                .add(Linear.builder().setUnits(HIDDEN).build());
        encoder.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
        encoder.initialize(manager, DataType.FLOAT32, new Shape(1, (long) CONTEXT * vocabulary));
        NDArray classifier = Scalar.mul(manager.randomNormal(new Shape(vocabulary, HIDDEN)), 0.1);
        NDArray bias = manager.zeros(new Shape(vocabulary));
        return new Model(encoder, classifier, bias, new ParameterStore(manager, false));
    }

    /**
     * The held-out mean loss of the head (for {@code cce} the cross-entropy in nats per token) and the
     * top-1 next-token accuracy of the logits h C<sup>T</sup> + b.
     */
    static double[] heldOut(Model model, BaseLoss head, Windows test) {
        try (NDManager m = test.contexts().getManager().newSubManager()) {
            NDArray h = model.hidden(test.contexts(), false);
            h.attach(m);
            double loss = headLoss(model, head, h, test.targets()).getFloat();
            long hits = h.matMul(model.classifier().transpose()).add(model.bias()).argMax(1).eq(test.targets()).sum()
                    .getLong();
            return new double[] {loss, hits / (double) test.targets().size()};
        }
    }

    /**
     * The head's loss on hidden states h: from (h, C, b) for the head losses, on the logits
     * h C<sup>T</sup> + b of one-token answers for {@code dco} (its held-out value is −log of the pass@N
     * coverage).
     */
    static NDArray headLoss(Model model, BaseLoss head, NDArray h, NDArray targets) {
        if (!head.id().equals("dco")) {
            return head.evaluate(new NDList(targets), new NDList(h, model.classifier(), model.bias()));
        }
        NDArray logits = h.matMul(model.classifier().transpose()).add(model.bias());
        NDArray logP = SequenceLogProb.of(logits.expandDims(1), targets.expandDims(1));
        return head.evaluate(new NDList(), new NDList(logP));
    }

    /**
     * The head's loss against the same loss on the materialised logits h C<sup>T</sup> + b, on the same
     * batch: |Δ value| and the largest |Δ dC| (the gradients of the classifier).
     */
    static double[] agreement(Model model, BaseLoss head, Loss materialised, Windows batch) {
        try (NDManager m = batch.contexts().getManager().newSubManager()) {
            NDArray h = model.hidden(batch.contexts(), false);
            h.attach(m);
            NDArray c = model.classifier().duplicate();
            c.attach(m);
            c.setRequiresGradient(true);
            float cut;
            float[] cutGradient;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray value = head.evaluate(new NDList(batch.targets()), new NDList(h, c, model.bias()));
                collector.backward(value);
                cut = value.getFloat();
            }
            cutGradient = c.getGradient().toFloatArray();
            c.getGradient().subi(c.getGradient());
            float full;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = h.matMul(c.transpose()).add(model.bias());
                NDArray value = materialised.evaluate(new NDList(batch.targets()), new NDList(logits));
                collector.backward(value);
                full = value.getFloat();
            }
            float[] fullGradient = c.getGradient().toFloatArray();
            double worst = 0;
            for (int i = 0; i < fullGradient.length; i++) {
                worst = Math.max(worst, Math.abs(fullGradient[i] - cutGradient[i]));
            }
            return new double[] {Math.abs(cut - full), worst};
        }
    }

    /**
     * Runs the example.
     *
     * @param args {@code [--quick] [--loss ID] [--seed N]}
     */
    public static void main(String[] args) {
        ExampleArgs a = ExampleArgs.parse("lm.TinyLanguageModel", LOSSES, 5, args);
        String lossId = a.loss();
        long seed = a.seed();
        int steps = a.quick() ? 150 : 600;
        int batch = 256;
        Engine.getInstance().setRandomSeed((int) seed);
        ToyGrammar grammar = new ToyGrammar(seed);
        int vocabulary = grammar.vocabulary();
        List<Integer> example = new ArrayList<>();
        grammar.sentence(example);
        System.out.printf("A %d-token context model with a %s head (V = %d, D = %d) on a generated grammar, e.g.: %s%n",
                CONTEXT, lossId, vocabulary, HIDDEN, String.join(" ", example.stream().map(grammar::name).toList()));
        int[] train = grammar.stream(steps * batch + CONTEXT);
        int[] heldOut = grammar.stream(4000 + CONTEXT);
        boolean cce = lossId.equals(CutCrossEntropyLoss.ID);
        BaseLoss head = lossId.equals("dco") ? Losses.create("dco", Map.of("n", PASS_AT)) : Losses.create(lossId);
        // the same loss on the materialised N x V logits: softmax cross-entropy, or z-loss-spherical
        Loss materialised = cce ? Loss.softmaxCrossEntropyLoss() : Losses.create("z-loss-spherical");

        try (NDManager manager = NDManager.newBaseManager()) {
            Model model = newModel(manager, vocabulary);
            AdamUpdater adam = new AdamUpdater(1e-2).add(model.encoder())
                    .add("classifier", model.classifier()).add("bias", model.bias());
            Windows test = windows(manager, heldOut, 0, 4000, vocabulary);
            double[] before = heldOut(model, head, test);
            System.out.printf("  held-out %s %.4f%s, top-1 accuracy %.3f%n", lossId, before[0],
                    cce ? String.format(" nats/token, perplexity %.1f (a uniform guess: %d)", Math.exp(before[0]),
                            vocabulary) : "", before[1]);
            for (int step = 1; step <= steps; step++) {
                try (NDManager m = manager.newSubManager()) {
                    Windows w = windows(m, train, (step - 1) * batch, batch, vocabulary);
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray h = model.hidden(w.contexts(), true);
                        NDArray value = headLoss(model, head, h, w.targets());
                        collector.backward(value);
                    }
                    adam.step();
                }
                if (step % Math.max(1, steps / 5) == 0) {
                    double[] l = heldOut(model, head, test);
                    System.out.printf("  step %4d  held-out %s %.4f%s, top-1 accuracy %.3f%n", step, lossId, l[0],
                            cce ? String.format(", perplexity %.2f", Math.exp(l[0])) : "", l[1]);
                }
            }
            double[] after = heldOut(model, head, test);
            if (lossId.equals("dco")) {
                ExampleResult.report(String.format("dco: held-out pass@%d coverage (geometric mean) %.3f -> %.3f, top-1 accuracy %.3f -> %.3f",
                        PASS_AT, Math.exp(-before[0]), Math.exp(-after[0]), before[1], after[1]),
                        Math.exp(-after[0]) > Math.exp(-before[0]) + 0.1 && after[1] > before[1] + 0.2,
                        "training with dco raises the held-out pass@N coverage and the next-token accuracy");
                return;
            }
            double[] d = agreement(model, head, materialised, test);
            String twin = cce ? "softmax cross-entropy" : "z-loss-spherical";
            System.out.printf("  %s vs %s on the materialised %d x %d logits: |dloss| %.1e, max |dC| difference %.1e%n",
                    lossId, twin, 4000, vocabulary, d[0], d[1]);
            String measured = cce
                    ? String.format("held-out perplexity %.1f -> %.2f (loss %.3f -> %.3f nats/token)", Math.exp(before[0]),
                            Math.exp(after[0]), before[0], after[0])
                    : String.format("held-out loss %.3f -> %.3f, top-1 accuracy %.3f -> %.3f", before[0], after[0],
                            before[1], after[1]);
            ExampleResult.report(String.format("%s: %s; vs %s on materialised logits |dloss| %.1e, max |dgrad C| %.1e",
                    lossId, measured, twin, d[0], d[1]),
                    after[0] < before[0] && after[1] > before[1] + 0.2 && d[0] < 1e-4 && d[1] < 1e-5,
                    "training the head lowers the held-out loss, raises the next-token accuracy and that the loss"
                            + " equals its materialised-logits form");
        }
    }
}

package io.github.lossforge.examples.lm;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A generated language: sentences of the grammar
 * <pre>
 *   S  → NP<sub>animate</sub> VP "."
 *   NP<sub>x</sub> → DET NOUN<sub>x</sub> | DET ADJ NOUN<sub>x</sub>      (each half the time)
 *   VP → VERB<sub>transitive</sub> NP<sub>animate or inanimate</sub> | VERB<sub>intransitive</sub>
 * </pre>
 * over a vocabulary of "." (token 0) and word classes of fixed sizes; inside a class words are drawn
 * with Zipf weights 1/(rank + 1). A model that learns the grammar predicts the next word class exactly
 * and the word by its frequency, so its perplexity falls far below the vocabulary size.
 */
final class ToyGrammar {

    private static final int DET = 4;
    private static final int ADJ = 24;
    private static final int NOUN_ANIMATE = 32;
    private static final int NOUN_THING = 32;
    private static final int VERB_TRANSITIVE = 24;
    private static final int VERB_INTRANSITIVE = 12;

    /** The end-of-sentence token. */
    static final int STOP = 0;

    private final int detStart = 1;
    private final int adjStart = detStart + DET;
    private final int animateStart = adjStart + ADJ;
    private final int thingStart = animateStart + NOUN_ANIMATE;
    private final int transitiveStart = thingStart + NOUN_THING;
    private final int intransitiveStart = transitiveStart + VERB_TRANSITIVE;
    private final int vocabulary = intransitiveStart + VERB_INTRANSITIVE;
    private final Random rng;

    ToyGrammar(long seed) {
        this.rng = new Random(seed);
    }

    int vocabulary() {
        return vocabulary;
    }

    /**
     * A stream of whole sentences of at least the given length.
     *
     * @param tokens the least number of tokens
     * @return the tokens
     */
    int[] stream(int tokens) {
        List<Integer> out = new ArrayList<>();
        while (out.size() < tokens) {
            sentence(out);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    void sentence(List<Integer> out) {
        nounPhrase(out, animateStart, NOUN_ANIMATE);
        if (rng.nextBoolean()) {
            out.add(word(transitiveStart, VERB_TRANSITIVE));
            if (rng.nextBoolean()) {
                nounPhrase(out, animateStart, NOUN_ANIMATE);
            } else {
                nounPhrase(out, thingStart, NOUN_THING);
            }
        } else {
            out.add(word(intransitiveStart, VERB_INTRANSITIVE));
        }
        out.add(STOP);
    }

    private void nounPhrase(List<Integer> out, int nounStart, int nouns) {
        out.add(word(detStart, DET));
        if (rng.nextBoolean()) {
            out.add(word(adjStart, ADJ));
        }
        out.add(word(nounStart, nouns));
    }

    /** A Zipf-weighted word of a class. */
    private int word(int start, int size) {
        double total = 0;
        for (int r = 0; r < size; r++) {
            total += 1.0 / (r + 1);
        }
        double u = rng.nextDouble() * total;
        for (int r = 0; r < size; r++) {
            u -= 1.0 / (r + 1);
            if (u <= 0) {
                return start + r;
            }
        }
        return start + size - 1;
    }

    /**
     * The word class of a token, for printing sentences.
     *
     * @param token a token
     * @return e.g. {@code DET3}
     */
    String name(int token) {
        if (token == STOP) {
            return ".";
        }
        String[] names = {"DET", "ADJ", "NOUN", "THING", "VERB", "VERBI"};
        int[] starts = {detStart, adjStart, animateStart, thingStart, transitiveStart, intransitiveStart, vocabulary};
        for (int k = names.length - 1; k >= 0; k--) {
            if (token >= starts[k]) {
                return names[k].toLowerCase() + (token - starts[k]);
            }
        }
        throw new IllegalArgumentException("token " + token + " outside [0, " + vocabulary + ")");
    }
}

package io.github.lossforge.core;

import java.util.Map;

/**
 * The checked parameter values of one {@link Losses#create} call, defaults filled in, read by a
 * loss's factory with typed getters.
 */
public final class LossParams {

    private final String lossId;
    private final Map<String, Object> values;

    LossParams(String lossId, Map<String, Object> values) {
        this.lossId = lossId;
        this.values = Map.copyOf(values);
    }

    /**
     * A numeric parameter.
     *
     * @param name the key
     * @return its value
     */
    public double number(String name) {
        return ((Number) get(name)).doubleValue();
    }

    /**
     * A whole-number parameter.
     *
     * @param name the key
     * @return its value
     */
    public long integer(String name) {
        return ((Number) get(name)).longValue();
    }

    /**
     * A boolean parameter.
     *
     * @param name the key
     * @return its value
     */
    public boolean bool(String name) {
        return (Boolean) get(name);
    }

    /**
     * A word parameter (lower case), or the text of a word-or-number parameter's word.
     *
     * @param name the key
     * @return its value
     */
    public String word(String name) {
        return (String) get(name);
    }

    /**
     * A parameter's raw canonical value ({@link Double}, {@link Long}, {@link Boolean} or word).
     *
     * @param name the key
     * @return its value
     */
    public Object get(String name) {
        if (!values.containsKey(name)) {
            throw new IllegalArgumentException(lossId + ": no parameter '" + name + "'");
        }
        return values.get(name);
    }

    /**
     * The reduction parameter every loss takes.
     *
     * @return the reduction
     */
    public Reduction reduction() {
        return Reduction.parse(word(LossInfo.REDUCTION));
    }
}

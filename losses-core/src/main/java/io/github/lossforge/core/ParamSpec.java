package io.github.lossforge.core;

import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.Locale;

/**
 * One parameter of a registered loss: its registry key (also the builder's {@code optX} name), its
 * kind, its default (null when required) and a one-line description.
 */
public final class ParamSpec {

    /** What values a parameter takes. */
    public enum Kind {
        /** Any {@link Number}. */
        NUMBER,
        /** A whole {@link Number} ({@code 16}, {@code 16L} and {@code 16.0} all work). */
        INTEGER,
        /** A {@link Boolean}. */
        BOOLEAN,
        /** One of a fixed set of words. */
        WORD,
        /** One of a fixed set of words, or a number. */
        WORD_OR_NUMBER
    }

    private final String name;
    private final Kind kind;
    private final @Nullable Object defaultValue;
    private final List<String> words;
    private final String description;

    private ParamSpec(String name, Kind kind, @Nullable Object defaultValue, List<String> words, String description) {
        this.name = name;
        this.kind = kind;
        this.defaultValue = defaultValue;
        this.words = List.copyOf(words);
        this.description = description;
    }

    /**
     * A numeric parameter.
     *
     * @param name the key
     * @param defaultValue the default, or null when required
     * @param description what it does
     * @return the spec
     */
    public static ParamSpec number(String name, @Nullable Double defaultValue, String description) {
        return new ParamSpec(name, Kind.NUMBER, defaultValue, List.of(), description);
    }

    /**
     * A whole-number parameter.
     *
     * @param name the key
     * @param defaultValue the default, or null when required
     * @param description what it does
     * @return the spec
     */
    public static ParamSpec integer(String name, @Nullable Long defaultValue, String description) {
        return new ParamSpec(name, Kind.INTEGER, defaultValue, List.of(), description);
    }

    /**
     * A boolean parameter.
     *
     * @param name the key
     * @param defaultValue the default
     * @param description what it does
     * @return the spec
     */
    public static ParamSpec bool(String name, Boolean defaultValue, String description) {
        return new ParamSpec(name, Kind.BOOLEAN, defaultValue, List.of(), description);
    }

    /**
     * A parameter that takes one of the given words.
     *
     * @param name the key
     * @param defaultValue the default word, or null when required
     * @param words the accepted words
     * @param description what it does
     * @return the spec
     */
    public static ParamSpec word(String name, @Nullable String defaultValue, List<String> words, String description) {
        return new ParamSpec(name, Kind.WORD, defaultValue, words, description);
    }

    /**
     * A parameter that takes one of the values of a {@link Choice} enum, written as their words.
     *
     * @param name the key
     * @param defaultValue the default value
     * @param description what it does
     * @param <E> the enum
     * @return the spec
     */
    public static <E extends Enum<E> & Choice> ParamSpec word(String name, E defaultValue, String description) {
        return word(name, defaultValue.key(), Choice.keys(defaultValue.getDeclaringClass()), description);
    }

    /**
     * A parameter that takes one of the given words or a number.
     *
     * @param name the key
     * @param defaultWord the default, one of the words
     * @param words the accepted words
     * @param description what it does
     * @return the spec
     */
    public static ParamSpec wordOrNumber(
            String name, String defaultWord, List<String> words, String description) {
        return new ParamSpec(name, Kind.WORD_OR_NUMBER, defaultWord, words, description);
    }

    /**
     * A parameter that takes one of the given words or a number, with a numeric default.
     *
     * @param name the key
     * @param defaultNumber the default number
     * @param words the accepted words
     * @param description what it does
     * @return the spec
     */
    public static ParamSpec wordOrNumber(
            String name, double defaultNumber, List<String> words, String description) {
        return new ParamSpec(name, Kind.WORD_OR_NUMBER, defaultNumber, words, description);
    }

    /**
     * The registry key.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The kind of value taken.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The default value, or null when the parameter is required.
     *
     * @return the default
     */
    public @Nullable Object defaultValue() {
        return defaultValue;
    }

    /**
     * Whether a value must be given.
     *
     * @return true when there is no default
     */
    public boolean required() {
        return defaultValue == null;
    }

    /**
     * The accepted words of a word parameter.
     *
     * @return the words, empty for other kinds
     */
    public List<String> words() {
        return words;
    }

    /**
     * What the parameter does.
     *
     * @return the description
     */
    public String description() {
        return description;
    }

    /**
     * Checks a value given for this parameter and converts it to its canonical Java type:
     * {@link Double} for numbers, {@link Long} for integers, {@link Boolean}, or the lower-case word.
     *
     * @param lossId the loss id, for messages
     * @param value the value given
     * @return the canonical value
     * @throws IllegalArgumentException when the value has the wrong type or is not an accepted word
     */
    public Object accept(String lossId, @Nullable Object value) {
        switch (kind) {
            case NUMBER:
                if (value instanceof Number) {
                    return ((Number) value).doubleValue();
                }
                break;
            case INTEGER:
                if (value instanceof Number) {
                    double d = ((Number) value).doubleValue();
                    if (d == Math.rint(d) && !Double.isInfinite(d)) {
                        return (long) d;
                    }
                    throw new IllegalArgumentException(
                            lossId + ": parameter '" + name + "' must be a whole number, got " + value);
                }
                break;
            case BOOLEAN:
                if (value instanceof Boolean) {
                    return value;
                }
                break;
            case WORD_OR_NUMBER:
                if (value instanceof Number) {
                    return ((Number) value).doubleValue();
                }
                if (value instanceof String) {
                    String text = (String) value;
                    if (isNumber(text)) {
                        return Double.parseDouble(text);
                    }
                    return acceptWord(lossId, text);
                }
                break;
            case WORD:
            default:
                if (value instanceof String) {
                    return acceptWord(lossId, (String) value);
                }
                break;
        }
        throw new IllegalArgumentException(
                lossId + ": parameter '" + name + "' expects " + expected() + ", got "
                        + (value == null ? "null" : value.getClass().getSimpleName() + " " + value));
    }

    /**
     * Parses a value written as text (the CLI's {@code --param k=v}) into the type this parameter
     * takes, then checks it like {@link #accept}.
     *
     * @param lossId the loss id, for messages
     * @param text the text
     * @return the canonical value
     */
    public Object acceptText(String lossId, String text) {
        switch (kind) {
            case NUMBER:
            case INTEGER:
                if (!isNumber(text)) {
                    throw new IllegalArgumentException(
                            lossId + ": parameter '" + name + "' expects " + expected() + ", got '" + text + "'");
                }
                return accept(lossId, Double.parseDouble(text));
            case BOOLEAN:
                if (!"true".equalsIgnoreCase(text) && !"false".equalsIgnoreCase(text)) {
                    throw new IllegalArgumentException(
                            lossId + ": parameter '" + name + "' expects true or false, got '" + text + "'");
                }
                return Boolean.parseBoolean(text);
            default:
                return accept(lossId, text);
        }
    }

    private String acceptWord(String lossId, String word) {
        String w = word.toLowerCase(Locale.ROOT);
        if (!words.contains(w)) {
            throw new IllegalArgumentException(
                    lossId + ": parameter '" + name + "' got '" + word + "', expected " + expected());
        }
        return w;
    }

    private static boolean isNumber(String text) {
        try {
            Double.parseDouble(text);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * What this parameter accepts, in words.
     *
     * @return e.g. {@code a number} or {@code one of none, softplus-mean}
     */
    public String expected() {
        switch (kind) {
            case NUMBER:
                return "a number";
            case INTEGER:
                return "a whole number";
            case BOOLEAN:
                return "a boolean";
            case WORD_OR_NUMBER:
                return "a number or one of " + String.join(", ", words);
            case WORD:
            default:
                return "one of " + String.join(", ", words);
        }
    }

    @Override
    public String toString() {
        return name + "=" + (defaultValue == null ? "(required)" : defaultValue);
    }
}

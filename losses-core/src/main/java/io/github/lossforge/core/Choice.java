package io.github.lossforge.core;

import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An option that takes one of a fixed set of values, as an enum (only enums implement it): the builders'
 * typed {@code optX(Enum)} form, which Kotlin and Scala callers see as a real type, beside the word the
 * registry and the CLI use ({@link #key()}, e.g. {@code weighted-ce}). {@link #parse} turns a word back
 * into the enum for the builders' {@code optX(String)} form.
 */
public interface Choice {

    /**
     * The word the registry, the CLI and {@code optX(String)} use for this value: the constant's name in
     * lower case with {@code _} written as {@code -} ({@code PER_QUERY} → {@code per-query}).
     *
     * @return the lower-case word
     */
    default String key() {
        return ((Enum<?>) this).name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Checks that an option was given a value.
     *
     * @param value the value given
     * @param lossId the loss id, for the message
     * @param option the option's name, for the message
     * @param <E> the enum
     * @return {@code value}
     * @throws IllegalArgumentException when {@code value} is null
     */
    static <E extends Enum<E> & Choice> E require(@Nullable E value, String lossId, String option) {
        if (value == null) {
            throw new IllegalArgumentException(lossId + ": parameter '" + option + "' must not be null");
        }
        return value;
    }

    /**
     * Parses a word (case-insensitive) into one of an option's values.
     *
     * @param type the enum of the option's values
     * @param lossId the loss id, for the message
     * @param option the option's name, for the message
     * @param word the word given
     * @param <E> the enum
     * @return the value whose {@link #key()} is {@code word}
     * @throws IllegalArgumentException naming the loss, the option, the word and the accepted words
     */
    static <E extends Enum<E> & Choice> E parse(Class<E> type, String lossId, String option, @Nullable String word) {
        for (E value : type.getEnumConstants()) {
            if (value.key().equalsIgnoreCase(word)) {
                return value;
            }
        }
        throw new IllegalArgumentException(lossId + ": parameter '" + option + "' got '" + word
                + "', expected one of " + String.join(", ", keys(type)));
    }

    /**
     * The words of every value of an option, in declaration order.
     *
     * @param type the enum of the option's values
     * @param <E> the enum
     * @return the words
     */
    static <E extends Enum<E> & Choice> List<String> keys(Class<E> type) {
        List<String> keys = new ArrayList<>();
        for (E value : type.getEnumConstants()) {
            keys.add(value.key());
        }
        return List.copyOf(keys);
    }
}

package io.github.lossforge.examples.support;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line every runnable example takes: {@code --quick} (a run of seconds, what CI runs),
 * {@code --help}, and a few named options ({@code --loss ID}, {@code --seed N}, …) each example
 * declares. Bad input prints one line on stderr and exits with status 2.
 */
public final class ExampleArgs {

    private final boolean quick;
    private final Map<String, String> values;
    private final String example;
    private final List<String> losses;
    private final long defaultSeed;

    private ExampleArgs(String example, boolean quick, Map<String, String> values, List<String> losses,
            long defaultSeed) {
        this.example = example;
        this.quick = quick;
        this.values = values;
        this.losses = losses;
        this.defaultSeed = defaultSeed;
    }

    /**
     * Parses the arguments of an example that takes {@code --loss ID} (one of its losses, the first by
     * default; no such option when the list is empty) and {@code --seed N}, or exits as {@link
     * #parse(String, String, String[], Set)} does.
     *
     * @param example the example's name, for messages
     * @param losses the losses it trains with, the default first
     * @param defaultSeed the seed without {@code --seed}
     * @param args the arguments
     * @return the parsed arguments, read with {@link #loss()} and {@link #seed()}
     */
    public static ExampleArgs parse(String example, List<String> losses, long defaultSeed, String[] args) {
        String usage = (losses.isEmpty() ? "" : "  --loss ID   one of " + String.join(", ", losses) + " (default "
                + losses.get(0) + ")\n") + "  --seed N    seed (default " + defaultSeed + ")";
        ExampleArgs a = parse(example, usage, args, losses.isEmpty() ? Set.of("--seed") : Set.of("--loss", "--seed"));
        return new ExampleArgs(example, a.quick, a.values, List.copyOf(losses), defaultSeed);
    }

    /**
     * Parses the arguments of an example, or exits (status 0 after {@code --help}, 2 on bad input).
     *
     * @param example the example's name, for messages
     * @param usage one line per option the example takes, printed by {@code --help}
     * @param args the arguments
     * @param options the option names that take a value (e.g. {@code --loss})
     * @return the parsed arguments
     */
    public static ExampleArgs parse(String example, String usage, String[] args, Set<String> options) {
        boolean quick = false;
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--quick")) {
                quick = true;
            } else if (a.equals("--help") || a.equals("-h")) {
                System.out.println("usage: " + example + " [--quick] [--help]" + (usage.isEmpty() ? "" : "\n" + usage));
                System.exit(0);
            } else if (options.contains(a) && i + 1 < args.length) {
                values.put(a, args[++i]);
            } else {
                fail(example, options.contains(a) ? a + " needs a value"
                        : "unknown argument '" + a + "'; valid: --quick, --help" + (options.isEmpty() ? ""
                                : ", " + String.join(", ", options.stream().sorted().toList())));
            }
        }
        return new ExampleArgs(example, quick, values, List.of(), 0);
    }

    /**
     * Whether {@code --quick} was given: a run of seconds that still shows the effect.
     *
     * @return true for the quick mode
     */
    public boolean quick() {
        return quick;
    }

    /**
     * The {@code --loss} of an example parsed with its losses.
     *
     * @return the loss id, the first of the example's losses by default
     */
    public String loss() {
        return word("--loss", losses.get(0), losses);
    }

    /**
     * The {@code --seed} of an example parsed with a default seed.
     *
     * @return the seed
     */
    public long seed() {
        return integer("--seed", defaultSeed);
    }

    /**
     * A word option, checked against its allowed values.
     *
     * @param option e.g. {@code --loss}
     * @param fallback the default
     * @param allowed the accepted values
     * @return the value
     */
    public String word(String option, String fallback, List<String> allowed) {
        String v = values.getOrDefault(option, fallback);
        if (!allowed.contains(v)) {
            fail(example, option + " must be one of " + String.join(", ", allowed) + ", got '" + v + "'");
        }
        return v;
    }

    /**
     * An integer option.
     *
     * @param option e.g. {@code --seed}
     * @param fallback the default
     * @return the value
     */
    public long integer(String option, long fallback) {
        String v = values.get(option);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            fail(example, option + " must be an integer, got '" + v + "'");
            return fallback;
        }
    }

    private static void fail(String example, String message) {
        System.err.println(example + ": " + message);
        System.exit(2);
    }
}

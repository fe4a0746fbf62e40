package io.github.lossforge.examples.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.Losses;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The hint {@code lossforge list} and {@code info} print for every registered loss ({@link
 * LossInfo#example()}) must send a user to something shipped and runnable: an example class of this
 * module through {@code examples/run-examples.sh NAME}, or a {@code lossforge} command; never to a test
 * class (tests are not shipped).
 */
class ExampleHintsTest {

    private static final Pattern RUN = Pattern.compile("examples/run-examples\\.sh ([a-z]+\\.[A-Z]\\w*)((?: --[a-z-]+ [\\w.-]+)*)");
    private static final Pattern OPTION = Pattern.compile("--([a-z-]+) ([\\w.-]+)");
    private static final Pattern COMMAND = Pattern.compile("\\blossforge ([a-z-]+)");
    private static final Pattern CLASS_NAME = Pattern.compile("\\b(?:[a-z]+\\.)*[A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+\\b");
    private static final Set<String> COMMANDS = Set.of("demo", "guide-demo", "bench", "fit-scaling", "list", "info");
    private static final String EXAMPLES_PACKAGE = "io.github.lossforge.examples.";

    /**
     * Losses whose hint still names no runnable example, only what goes in and the API that helps
     * (issue 15: every hint should name one). The last test keeps this list exact.
     */
    private static final Set<String> WITHOUT_EXAMPLE = Set.of();

    @Test
    void noHintNamesATestClass() {
        for (String id : Losses.ids()) {
            assertThat(Losses.info(id).example()).as(id).doesNotContainPattern("\\w+Tests?\\b").doesNotContain("tests)");
        }
    }

    @Test
    void everyClassAHintNamesIsShippedOnTheExamplesClasspath() {
        for (String id : Losses.ids()) {
            LossInfo info = Losses.info(id);
            Matcher m = CLASS_NAME.matcher(info.example());
            while (m.find()) {
                String name = m.group();
                Optional<Class<?>> found = resolve(name, info.lossClass().getPackageName());
                assertThat(found).as("%s: the class %s its hint names", id, name).isPresent();
                assertThat(isTestClass(found.get())).as("%s: %s is a test class", id, found.get().getName()).isFalse();
            }
        }
    }

    @Test
    void everyHintNamesARunnableExampleOrACommand() {
        for (String id : Losses.ids()) {
            if (WITHOUT_EXAMPLE.contains(id)) {
                continue;
            }
            String hint = Losses.info(id).example();
            assertThat(RUN.matcher(hint).find() || COMMAND.matcher(hint).find())
                    .as("%s: hint '%s' names no runnable example and no lossforge command", id, hint).isTrue();
        }
    }

    @Test
    void everyExampleAHintRunsIsAShippedMainClassThatCiRuns() throws IOException {
        Set<String> ciRuns = ciExamples();
        for (String id : Losses.ids()) {
            Matcher run = RUN.matcher(Losses.info(id).example());
            while (run.find()) {
                String example = run.group(1);
                Optional<Class<?>> cls = resolve(EXAMPLES_PACKAGE + example, "");
                assertThat(cls).as("%s: example %s", id, example).isPresent();
                assertThat(isTestClass(cls.get())).as("%s: %s is a test class", id, example).isFalse();
                assertThat(hasMain(cls.get())).as("%s: %s has no public static main(String[])", id, example).isTrue();
                assertThat(ciRuns).as("%s: examples/run-examples.sh runs %s", id, example).contains(example);
                Matcher option = OPTION.matcher(run.group(2));
                while (option.find()) {
                    assertThat(Losses.ids()).as("%s: --%s %s names a registered loss", id, option.group(1),
                            option.group(2)).contains(option.group(2));
                }
            }
        }
    }

    @Test
    void everyCommandAHintNamesExistsAndDemoTrainsOnlyClassifierLosses() {
        for (String id : Losses.ids()) {
            LossInfo info = Losses.info(id);
            Matcher command = COMMAND.matcher(info.example());
            while (command.find()) {
                assertThat(COMMANDS).as("%s: lossforge %s", id, command.group(1)).contains(command.group(1));
                if (command.group(1).equals("demo")) {
                    assertThat(info.classifierLoss()).as("%s: demo trains drop-in classifier losses only", id).isTrue();
                }
            }
        }
        assertThat(Losses.info("comp-sum").example()).isEqualTo("lossforge demo --loss comp-sum");
    }

    @Test
    void theListOfLossesWithoutAnExampleIsExact() {
        List<String> stale = new ArrayList<>();
        for (String id : WITHOUT_EXAMPLE) {
            String hint = Losses.info(id).example();
            if (RUN.matcher(hint).find() || COMMAND.matcher(hint).find()) {
                stale.add(id);
            }
        }
        assertThat(stale).as("losses that now have an example: remove them from WITHOUT_EXAMPLE").isEmpty();
        assertThat(Losses.ids()).containsAll(WITHOUT_EXAMPLE);
    }

    /** The examples run-examples.sh runs in CI: the names in its EXAMPLES=( … ) list. */
    private static Set<String> ciExamples() throws IOException {
        String script = Files.readString(Path.of("run-examples.sh"));
        Matcher list = Pattern.compile("EXAMPLES=\\(([^)]*)\\)").matcher(script);
        assertThat(list.find()).as("run-examples.sh has an EXAMPLES=( ... ) list").isTrue();
        return Pattern.compile("\\s+").splitAsStream(list.group(1).strip()).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Optional<Class<?>> resolve(String name, String lossPackage) {
        String top = name.contains(".") && Character.isUpperCase(name.charAt(0)) ? name.substring(0, name.indexOf('.')) : name;
        for (String candidate : List.of(top, lossPackage + "." + top, "io.github.lossforge.core." + top, EXAMPLES_PACKAGE + top)) {
            try {
                return Optional.of(Class.forName(candidate, false, ExampleHintsTest.class.getClassLoader()));
            } catch (ClassNotFoundException e) {
                // try the next package
            }
        }
        return Optional.empty();
    }

    private static boolean isTestClass(Class<?> cls) {
        String where = cls.getProtectionDomain().getCodeSource().getLocation().getPath();
        return where.contains("test-classes") || where.endsWith("-tests.jar") || cls.getSimpleName().endsWith("Test");
    }

    private static boolean hasMain(Class<?> cls) {
        try {
            Method main = cls.getMethod("main", String[].class);
            return Modifier.isStatic(main.getModifiers()) && Modifier.isPublic(cls.getModifiers());
        } catch (NoSuchMethodException e) {
            return false;
        }
    }
}

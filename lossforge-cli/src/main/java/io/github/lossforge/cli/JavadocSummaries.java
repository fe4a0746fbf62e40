package io.github.lossforge.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The first sentence of each public top-level class's javadoc, as {@code lossforge info} prints it.
 *
 * <p>The build reads them from the library modules' sources after compiling this module ({@link
 * #main} in the {@code process-classes} phase) into the resource {@code summaries.properties} beside
 * this class, keyed by class name; at run time {@link #of(Class)} looks them up, so a summary is never
 * written twice.
 */
public final class JavadocSummaries {

    private static final String RESOURCE = "summaries.properties";

    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);

    /** A javadoc comment directly followed (annotations aside) by a public top-level type. */
    private static final Pattern CLASS_DOC = Pattern.compile("/\\*\\*((?:(?!\\*/).)*)\\*/\\s*"
            + "(?:@[\\w.]+(?:\\([^)]*\\))?\\s*)*public\\s+(?:(?:final|abstract|sealed|non-sealed)\\s+)*"
            + "(?:class|interface|enum|record)\\s+(\\w+)", Pattern.DOTALL);

    private static final Pattern INLINE_TAG = Pattern.compile("\\{@(\\w+)\\s*");

    private JavadocSummaries() {}

    /**
     * Writes the summaries of every class under the source roots.
     *
     * @param args the properties file to write, then the source roots
     * @throws IOException when a source cannot be read or the file cannot be written
     */
    public static void main(String[] args) throws IOException {
        List<Path> roots = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            roots.add(Path.of(args[i]));
        }
        Map<String, String> summaries = scan(roots);
        Properties p = new Properties();
        p.putAll(summaries);
        StringWriter text = new StringWriter();
        p.store(text, null);
        // Properties.store starts with a date comment: drop it so that the build output is reproducible
        List<String> lines = new ArrayList<>(text.toString().lines().filter(l -> !l.startsWith("#")).sorted().toList());
        Path out = Path.of(args[0]);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.write(out, lines, StandardCharsets.UTF_8);
    }

    /**
     * The summaries of the public top-level classes in the {@code .java} files under the roots.
     *
     * @param roots source roots
     * @return class name → first sentence
     * @throws IOException when a source cannot be read
     */
    static Map<String, String> scan(List<Path> roots) throws IOException {
        Map<String, String> summaries = new TreeMap<>();
        for (Path root : roots) {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(root)) {
                files = walk.filter(f -> f.toString().endsWith(".java")).toList();
            }
            for (Path f : files) {
                String source = Files.readString(f, StandardCharsets.UTF_8);
                Matcher pkg = PACKAGE.matcher(source);
                Matcher doc = CLASS_DOC.matcher(source);
                if (pkg.find() && doc.find()) {
                    summaries.put(pkg.group(1) + "." + doc.group(2), firstSentence(doc.group(1)));
                }
            }
        }
        return summaries;
    }

    /**
     * The first sentence of a javadoc comment as plain text: the text up to the first period followed
     * by white space (or the first block tag), with inline tags reduced to their text, HTML tags
     * dropped and the {@code \( \)} math delimiters removed.
     *
     * @param comment the comment's text between its delimiters
     * @return the sentence
     */
    static String firstSentence(String comment) {
        StringBuilder joined = new StringBuilder();
        for (String line : comment.split("\\R")) {
            String text = line.strip();
            text = text.startsWith("*") ? text.substring(1).strip() : text;
            if (text.startsWith("@")) {
                break;
            }
            joined.append(text).append(' ');
        }
        String plain = inlineTags(joined.toString()).replace("\\(", "").replace("\\)", "").replaceAll("\\s+", " ")
                .strip();
        Matcher end = Pattern.compile("\\.(\\s|$)").matcher(plain);
        return end.find() ? plain.substring(0, end.start() + 1) : plain;
    }

    /**
     * {@code {@code x}} → x, {@code {@link A#b label}} → label, {@code {@link A#b}} → A.b (braces balanced);
     * HTML tags and entities outside inline tags become plain text.
     */
    private static String inlineTags(String text) {
        StringBuilder out = new StringBuilder();
        Matcher tag = INLINE_TAG.matcher(text);
        int from = 0;
        while (tag.find(from)) {
            out.append(html(text.substring(from, tag.start())));
            int depth = 1;
            int i = tag.end();
            while (i < text.length() && depth > 0) {
                char c = text.charAt(i++);
                depth += c == '{' ? 1 : c == '}' ? -1 : 0;
            }
            String body = text.substring(tag.end(), depth == 0 ? i - 1 : i).strip();
            if (tag.group(1).startsWith("link")) {
                int space = body.indexOf(' ');
                body = space > 0 ? body.substring(space + 1) : body.replace('#', '.');
            }
            out.append(body);
            from = i;
        }
        return out.append(html(text.substring(from))).toString();
    }

    private static String html(String text) {
        return text.replaceAll("<[^>]+>", "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }

    /**
     * The summary of a class, from the resource the build wrote.
     *
     * @param type the class
     * @return its first javadoc sentence, or an empty string when it has none
     */
    static String of(Class<?> type) {
        return Loaded.SUMMARIES.getProperty(type.getName(), "");
    }

    /** The resource, read once. */
    private static final class Loaded {
        static final Properties SUMMARIES = load();

        private static Properties load() {
            Properties p = new Properties();
            try (InputStream in = JavadocSummaries.class.getResourceAsStream(RESOURCE)) {
                if (in != null) {
                    p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return p;
        }
    }
}

package io.github.lossforge.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.jar.JarEntry;
import java.util.stream.Stream;

/**
 * {@code lossforge example NAME [ARGS…]}: runs a runnable example of the {@code examples} module, a class
 * under {@code io.github.lossforge.examples} with a {@code main} method, named relative to that package
 * ({@code face.SymFaceWithArcFace}); everything after the name goes to the example. Without a name it
 * lists the examples.
 */
@Command(name = "example", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        description = "Run a runnable example (a class of io.github.lossforge.examples with a main method), or"
                + " list them. Everything after NAME is passed to the example.")
final class ExampleCommand implements Callable<Integer> {

    /** The package every example lives under. */
    static final String PACKAGE = "io.github.lossforge.examples";

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME",
            description = "the example, relative to " + PACKAGE + " (e.g. face.SymFaceWithArcFace)")
    private String name;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "the example's arguments")
    private List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (name == null) {
            out.println("examples (run one with 'lossforge example NAME [ARGS...]'):");
            for (String example : available()) {
                out.println("  " + example);
            }
            out.flush();
            return 0;
        }
        Method main = mainOf(name);
        out.flush();
        try {
            main.invoke(null, (Object) args.toArray(String[]::new));
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
        return 0;
    }

    private static Method mainOf(String example) {
        String className = PACKAGE + "." + example;
        try {
            Method main = Class.forName(className).getMethod("main", String[].class);
            if (Modifier.isStatic(main.getModifiers())) {
                return main;
            }
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            // reported below, with the list of what exists
        }
        throw new IllegalArgumentException("no example '" + example + "' (no class " + className
                + " with a main method); examples: " + String.join(", ", available()));
    }

    /**
     * The examples on the class path: classes under {@link #PACKAGE} (directories or jars) with a
     * public static {@code main(String[])}.
     *
     * @return their names relative to the package, sorted
     */
    static List<String> available() {
        TreeSet<String> names = new TreeSet<>();
        String folder = PACKAGE.replace('.', '/') + "/";
        try {
            for (URL url : Collections.list(ExampleCommand.class.getClassLoader().getResources(folder))) {
                for (String entry : classEntries(url, folder)) {
                    String name = entry.substring(folder.length(), entry.length() - ".class".length());
                    if (!name.contains("$") && hasMain(PACKAGE + "." + name.replace('/', '.'))) {
                        names.add(name.replace('/', '.'));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(names);
    }

    /** The class files under the folder, as paths from the class-path root. */
    private static List<String> classEntries(URL url, String folder) throws IOException {
        List<String> entries = new ArrayList<>();
        if ("jar".equals(url.getProtocol())) {
            JarURLConnection jar = (JarURLConnection) url.openConnection();
            jar.setUseCaches(false);
            try (var file = jar.getJarFile()) {
                for (JarEntry e : Collections.list(file.entries())) {
                    if (e.getName().startsWith(folder) && e.getName().endsWith(".class")) {
                        entries.add(e.getName());
                    }
                }
            }
        } else if ("file".equals(url.getProtocol())) {
            Path dir;
            try {
                dir = Path.of(url.toURI());
            } catch (URISyntaxException e) {
                throw new IOException(e);
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.filter(p -> p.toString().endsWith(".class"))
                        .forEach(p -> entries.add(folder + dir.relativize(p).toString().replace('\\', '/')));
            }
        }
        return entries;
    }

    private static boolean hasMain(String className) {
        try {
            Method main = Class.forName(className, false, ExampleCommand.class.getClassLoader())
                    .getMethod("main", String[].class);
            return Modifier.isStatic(main.getModifiers()) && Modifier.isPublic(main.getModifiers());
        } catch (ClassNotFoundException | NoSuchMethodException | LinkageError e) {
            return false;
        }
    }
}

package io.github.lossforge.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Executable;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The public API of the library modules (every {@code losses-*} artifact) declares no checked exception, as
 * DJL's loss API does, so Kotlin and Scala callers never meet an undeclared one and Java callers need no
 * {@code try}.
 */
class NoCheckedExceptionsTest {

    @Test
    void noPublicMethodOrConstructorOfTheLibraryDeclaresACheckedException() throws Exception {
        List<String> classes = libraryClassNames();
        assertThat(classes).as("library classes on the test classpath").hasSizeGreaterThan(100)
                .contains("io.github.lossforge.core.Losses", "io.github.lossforge.contrastive.PairMath");
        List<String> offenders = new ArrayList<>();
        for (String name : classes) {
            Class<?> type = Class.forName(name, false, getClass().getClassLoader());
            if (!Modifier.isPublic(type.getModifiers())) {
                continue;
            }
            List<Executable> members = new ArrayList<>(Arrays.asList(type.getDeclaredMethods()));
            members.addAll(Arrays.asList(type.getDeclaredConstructors()));
            for (Executable member : members) {
                if (!Modifier.isPublic(member.getModifiers()) && !Modifier.isProtected(member.getModifiers())) {
                    continue;
                }
                for (Class<?> thrown : member.getExceptionTypes()) {
                    if (!RuntimeException.class.isAssignableFrom(thrown) && !Error.class.isAssignableFrom(thrown)) {
                        offenders.add(member + " throws " + thrown.getName());
                    }
                }
            }
        }
        assertThat(offenders).isEmpty();
    }

    /** Every class of the losses-* modules on the classpath (directories in a reactor build, jars otherwise). */
    private static List<String> libraryClassNames() throws IOException {
        List<String> names = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (!path.toString().contains("losses-") || path.toString().contains("test")) {
                continue;
            }
            if (Files.isDirectory(path)) {
                try (Stream<Path> files = Files.walk(path)) {
                    files.map(p -> path.relativize(p).toString()).forEach(n -> addClass(names, n));
                }
            } else if (path.toString().endsWith(".jar")) {
                try (JarFile jar = new JarFile(path.toFile())) {
                    jar.stream().forEach(e -> addClass(names, e.getName()));
                }
            }
        }
        return names;
    }

    private static void addClass(List<String> names, String file) {
        String n = file.replace(File.separatorChar, '/');
        if (n.startsWith("io/github/lossforge/") && n.endsWith(".class") && !n.endsWith("package-info.class")) {
            names.add(n.substring(0, n.length() - ".class".length()).replace('/', '.'));
        }
    }
}

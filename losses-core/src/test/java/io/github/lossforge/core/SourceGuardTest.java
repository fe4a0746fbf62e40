package io.github.lossforge.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Library sources never call DJL's Number-argument ops whose autograd node keeps a scalar made from
 * Java memory (see {@link Scalar}): literal or constant arguments to mul/div/maximum/minimum/pow, and
 * clip in any form. (Variables of type double are caught at run time by the contract's GC test.)
 */
class SourceGuardTest {

    // java.lang.Math's own pow(double, double) is plain Java arithmetic, not an NDArray op
    private static final Pattern UNSAFE = Pattern.compile(
            "(?<!Math)\\.(mul|div|maximum|minimum|pow)\\(\\s*(-?\\d|Math\\.|\\(double\\)|\\(float\\)|[A-Z][A-Z0-9_]+\\s*\\))"
                    + "|\\.clip\\(");

    @Test
    void librarySourcesUseScalarForNumberArithmetic() throws IOException {
        List<String> offences = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of(".."))) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> p.toString().contains("src" + java.io.File.separator + "main"))
                    .filter(p -> !p.getFileName().toString().equals("Scalar.java"))::iterator) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    if (UNSAFE.matcher(lines.get(i)).find()) {
                        offences.add(f + ":" + (i + 1) + ": " + lines.get(i).strip());
                    }
                }
            }
        }
        assertThat(offences).as("Number-argument ops unsafe under autograd; use Scalar").isEmpty();
    }
}

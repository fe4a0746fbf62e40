package io.github.lossforge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The BOM (which has no parent, see its pom) pins the same DJL versions as the build and every library module. */
class BomTest {

    private static final Path ROOT = Path.of("..");

    private static String property(String pom, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
        assertThat(m.find()).as("<%s> in the pom", name).isTrue();
        return m.group(1);
    }

    @Test
    void theBomPinsTheParentsDjlVersions() throws IOException {
        String parent = Files.readString(ROOT.resolve("pom.xml"));
        String bom = Files.readString(ROOT.resolve("lossforge-bom/pom.xml"));
        for (String name : List.of("djl.version", "pytorch.native.version", "pytorch.jni.version")) {
            assertThat(property(bom, name)).as(name).isEqualTo(property(parent, name));
        }
        assertThat(property(bom, "version")).isEqualTo(property(parent.substring(parent.indexOf("<artifactId>")),
                "version"));
    }

    @Test
    void theBomListsEveryLibraryModule() throws IOException {
        String parent = Files.readString(ROOT.resolve("pom.xml"));
        String bom = Files.readString(ROOT.resolve("lossforge-bom/pom.xml"));
        List<String> libraries = new ArrayList<>();
        Matcher m = Pattern.compile("<module>(losses-[^<]+)</module>").matcher(parent);
        while (m.find()) {
            libraries.add(m.group(1));
        }
        assertThat(libraries).isNotEmpty();
        for (String module : libraries) {
            assertThat(bom).as(module).contains("<artifactId>" + module + "</artifactId>");
        }
    }
}

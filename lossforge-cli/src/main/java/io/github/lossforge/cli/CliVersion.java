package io.github.lossforge.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The version every command prints for {@code --version}: the project version, filtered in at build time. */
final class CliVersion implements CommandLine.IVersionProvider {

    /**
     * The project version.
     *
     * @return e.g. {@code 0.1.0-SNAPSHOT}
     */
    static String version() {
        Properties p = new Properties();
        try (InputStream in = CliVersion.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                throw new IllegalStateException("version.properties is missing from the lossforge-cli jar");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("version");
    }

    @Override
    public String[] getVersion() {
        return new String[] {"lossforge " + version() + " (DJL " + ai.djl.engine.Engine.getDjlVersion() + ")"};
    }
}

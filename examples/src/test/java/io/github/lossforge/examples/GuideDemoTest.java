package io.github.lossforge.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import javax.imageio.ImageIO;

class GuideDemoTest {

    @Test
    void guidanceMovesEachConceptsAttentionMassIntoItsBox(@TempDir Path dir) throws Exception {
        StringWriter text = new StringWriter();
        Path png = dir.resolve("maps.png");
        GuideDemo.Outcome o = GuideDemo.run(40, 100, 42, png, new PrintWriter(text));
        for (int k = 0; k < 2; k++) {
            assertThat(o.after()[k]).as("concept %d: cross-attention mass inside its box after vs before", k + 1)
                    .isGreaterThan(o.before()[k] + 0.1);
            assertThat(o.alignedAfter()[k]).as("concept %d: aligned mass inside its box after vs before", k + 1)
                    .isGreaterThan(o.alignedBefore()[k] + 0.3);
        }
        assertThat(o.lastLoss()).isLessThan(o.firstLoss());
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(2 * GuideDemo.SIDE * 8 + 4);
    }

    @Test
    void guideDemoRunsFromTheCommandLine(@TempDir Path dir) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = LossForgeCli.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        Path png = dir.resolve("sub").resolve("demo.png");
        int code = cli.execute("guide-demo", "--steps", "5", "--out", png.toString());
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("concept 1: attention mass inside its box")
                .contains("concept 2: attention mass inside its box").contains(png.toString());
        assertThat(png).exists();
    }

    @Test
    void guideDemoRejectsANonPositiveStepSize() {
        StringWriter err = new StringWriter();
        CommandLine cli = LossForgeCli.newCommandLine();
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("guide-demo", "--step-size", "0")).isNotZero();
        assertThat(err.toString()).contains("--step-size");
    }
}

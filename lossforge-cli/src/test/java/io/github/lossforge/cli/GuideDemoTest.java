package io.github.lossforge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
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
        assertThat(image.getWidth()).isEqualTo(2 * GuideDemo.MAP_PIXELS);
        assertThat(image.getHeight()).isEqualTo(2 * GuideDemo.MAP_PIXELS);
        assertThat(Files.readString(dir.resolve("maps-loss.svg"))).contains("<svg").contains("</svg>");
        assertThat(ImageIO.read(dir.resolve("maps-loss.png").toFile())).isNotNull();
    }

    @Test
    void guideDemoRunsFromTheCommandLine(@TempDir Path dir) {
        Path png = dir.resolve("sub").resolve("demo.png");
        Cli r = Cli.run("guide-demo", "--steps", "5", "--out", png.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("concept 1: attention mass inside its box")
                .contains("concept 2: attention mass inside its box").contains(png.toString())
                .contains(dir.resolve("sub").resolve("demo-loss.svg").toString());
        assertThat(png).exists();
    }

    @Test
    void quickRunsFewerStepsAndStillMovesTheMassIntoTheBoxes(@TempDir Path dir) throws Exception {
        Cli r = Cli.run("guide-demo", "--quick", "--out", dir.resolve("quick.png").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains(GuideDemoCommand.QUICK_STEPS + " steps");
        GuideDemo.Outcome o = GuideDemo.run(GuideDemoCommand.QUICK_STEPS, 100, 42, dir.resolve("o.png"),
                new PrintWriter(new StringWriter()));
        for (int k = 0; k < 2; k++) {
            assertThat(o.alignedAfter()[k]).as("concept %d: aligned mass after a quick run", k + 1)
                    .isGreaterThan(o.alignedBefore()[k] + 0.1);
        }
        assertThat(Cli.run("guide-demo", "--quick", "--steps", "3", "--out", dir.resolve("s.png").toString()).out())
                .contains(" 3 steps");
    }

    @Test
    void guideDemoRejectsANonPositiveStepSizeAndNoSteps() {
        Cli r = Cli.run("guide-demo", "--step-size", "0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("--step-size must be in (0.0, Infinity), got 0.0");
        assertThat(Cli.run("guide-demo", "--steps", "0").err()).contains("--steps must be >= 1, got 0");
    }
}

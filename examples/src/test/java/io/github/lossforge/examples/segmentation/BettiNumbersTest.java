package io.github.lossforge.examples.segmentation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BettiNumbersTest {

    /** Parses rows of '#' (foreground) and '.' into a mask. */
    private static int[] betti(String... rows) {
        boolean[] mask = new boolean[rows.length * rows[0].length()];
        for (int r = 0; r < rows.length; r++) {
            for (int c = 0; c < rows[r].length(); c++) {
                mask[r * rows[0].length() + c] = rows[r].charAt(c) == '#';
            }
        }
        return BettiNumbers.of(mask, rows.length, rows[0].length());
    }

    @Test
    void aRingHasOneComponentAndOneHole() {
        assertThat(betti(".....", ".###.", ".#.#.", ".###.", ".....")).containsExactly(1, 1);
    }

    @Test
    void aDiskHasNoHole() {
        assertThat(betti(".....", ".###.", ".###.", ".###.", ".....")).containsExactly(1, 0);
    }

    @Test
    void anEmptyImageHasNothing() {
        assertThat(betti("...", "...", "...")).containsExactly(0, 0);
    }

    @Test
    void diagonalNeighboursJoinTheForegroundButNotTheBackground() {
        // the foreground is 8-connected (one component); the centre background pixel is 4-enclosed: a hole
        assertThat(betti(".....", "..#..", ".#.#.", "..#..", ".....")).containsExactly(1, 1);
        assertThat(betti("#...#", ".#.#.", "..#..", ".....", ".....")).containsExactly(1, 0);
    }

    @Test
    void backgroundTouchingTheBorderIsNoHole() {
        assertThat(betti("###", "#..", "###")).containsExactly(1, 0);
    }

    @Test
    void separateRingsAndSpecklesCountApart() {
        assertThat(betti("###...#", "#.#....", "###....", ".......", "...###.", "...#.#.", "...###."))
                .containsExactly(3, 2);
    }

    @Test
    void rejectsAMaskOfTheWrongSize() {
        assertThatThrownBy(() -> BettiNumbers.of(new boolean[5], 2, 3)).hasMessageContaining("2x3");
    }
}

package io.github.lossforge.examples.face;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SymFaceWithArcFaceTest {

    @Test
    void arcFaceLearnsTheIdentitiesAndSymFacePullsTheHalvesTogether() {
        SymFaceWithArcFace.Result alone = new SymFaceWithArcFace(4, 0, 7).train(300);
        SymFaceWithArcFace.Result both = new SymFaceWithArcFace(4, 1, 7).train(300);
        assertThat(alone.accuracyAfter()).isGreaterThan(0.9);
        assertThat(both.accuracyAfter()).isGreaterThan(0.9);
        assertThat(both.symmetryAfter()).isLessThan(both.symmetryBefore());
        assertThat(both.symmetryAfter()).isLessThan(alone.symmetryAfter());
    }
}

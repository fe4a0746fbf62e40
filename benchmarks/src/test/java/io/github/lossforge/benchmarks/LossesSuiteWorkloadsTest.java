package io.github.lossforge.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Losses;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The {@code losses} suite covers the registry: every registered id has a workload, and one forward +
 * backward step on it (the eager comparison's shapes, the others at {@link SuiteWorkloads.Size#TINY})
 * passes the loss's value checks and gives a finite value and finite gradients. A new loss without a
 * workload fails here.
 */
class LossesSuiteWorkloadsTest {

    @Test
    void everyRegisteredIdHasAWorkload() {
        assertThat(SuiteWorkloads.missing()).as("registered ids without a workload in EagerWorkloads or SuiteWorkloads")
                .isEmpty();
        assertThat(SuiteWorkloads.suiteIds()).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(Losses.ids());
    }

    @Test
    void everyWorkloadStepsForwardAndBackwardWithFiniteValuesAndGradients() {
        List<String> failures = new ArrayList<>();
        for (String id : SuiteWorkloads.suiteIds()) {
            String failure = stepFailure(id);
            if (failure != null) {
                failures.add(id + ": " + failure);
            }
        }
        assertThat(failures).as("ids whose workload step failed").isEmpty();
    }

    /** One step of an id's workload; null when it passes, else what went wrong. */
    private static String stepFailure(String id) {
        EagerWorkloads.Workload w = SuiteWorkloads.workload(id, SuiteWorkloads.Size.TINY);
        try (NDManager manager = NDManager.newBaseManager()) {
            BaseLoss loss = Losses.create(id, w.params());
            NDList[] inputs = w.inputs().apply(manager, new Random(SuiteBench.SEED));
            for (NDArray p : inputs[1]) {
                p.setRequiresGradient(true);
            }
            float[] value;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray v = loss.evaluate(inputs[0], inputs[1]);
                value = v.toFloatArray();
                gc.backward(v);
            }
            if (!allFinite(value)) {
                return "value not finite";
            }
            for (int i = 0; i < inputs[1].size(); i++) {
                if (!allFinite(inputs[1].get(i).getGradient().toFloatArray())) {
                    return "gradient of predictions[" + i + "] not finite";
                }
            }
            return null;
        } catch (RuntimeException e) {
            return e.toString();
        }
    }

    private static boolean allFinite(float[] x) {
        for (float v : x) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }
}

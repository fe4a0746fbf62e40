package io.github.lossforge.segmentation;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.Batchifier;
import io.github.lossforge.core.testkit.TrainingTask;

import java.util.Random;

/**
 * The MONAI-style integration check: a toy model trained with the loss through DJL's Trainer (Adam)
 * ends with a clearly lower loss than it started with.
 */
public final class LearningCheck {

    private LearningCheck() {}

    /**
     * Trains and compares the mean loss of the first and the last ten steps.
     *
     * @param loss the loss
     * @param task the task (its labels must be learnable from its inputs)
     * @param steps the number of steps (≥ 20)
     * @param factor the last ten steps' mean must be below {@code factor} × the first ten's
     */
    public static void assertLearns(Loss loss, TrainingTask task, int steps, double factor) {
        // a fixed seed for the parameter initialisation, so the check does not depend on test order
        Engine.getInstance().setRandomSeed(5);
        Random rng = new Random(5);
        double first = 0;
        double last = 0;
        try (Model model = Model.newInstance("learning-check")) {
            model.setBlock(task.model());
            DefaultTrainingConfig config = new DefaultTrainingConfig(loss)
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.02f)).build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(task.inputShape());
                for (int step = 0; step < steps; step++) {
                    try (NDManager batchManager = trainer.getManager().newSubManager()) {
                        NDList[] dataAndLabels = task.batch(batchManager, rng, step);
                        Batch batch = new Batch(batchManager, dataAndLabels[0], dataAndLabels[1], 1,
                                Batchifier.STACK, Batchifier.STACK, step, steps);
                        EasyTrain.trainBatch(trainer, batch);
                        trainer.step();
                        NDList predictions = trainer.forward(dataAndLabels[0]);
                        double value = loss.evaluate(dataAndLabels[1], predictions).getFloat();
                        if (step < 10) {
                            first += value / 10;
                        } else if (step >= steps - 10) {
                            last += value / 10;
                        }
                    }
                }
            }
        }
        assertThat(last).as("%s: mean loss of the last 10 steps vs the first 10 (%s)", loss.getName(), first)
                .isLessThan(factor * first);
    }
}

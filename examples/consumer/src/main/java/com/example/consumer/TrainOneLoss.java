package com.example.consumer;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.Batchifier;
import io.github.lossforge.contrastive.selfsupervised.NtXentLoss;
import io.github.lossforge.core.Losses;

import java.util.Map;

/**
 * What a LossForge user writes: a registry loss from losses-core trains a tiny classifier with DJL's
 * Trainer, and a builder loss from losses-contrastive is evaluated with its gradient. Exits non-zero
 * (with the reason) when the training does not lower the loss.
 */
public final class TrainOneLoss {

    private TrainOneLoss() {}

    public static void main(String[] args) {
        Engine.getInstance().setRandomSeed(7);
        Loss loss = Losses.create("ldr-kl", Map.of("lambda", 1.0));
        float first;
        float last;
        try (Model model = Model.newInstance("consumer");
                NDManager data = NDManager.newBaseManager()) {
            model.setBlock(new SequentialBlock().add(Linear.builder().setUnits(16).build()).add(Activation::relu)
                    .add(Linear.builder().setUnits(3).build()));
            // three classes, each a shifted cloud in 4 dimensions
            NDArray labels = data.arange(0, 96).toType(DataType.INT64, false).mod(3);
            NDArray features = data.randomNormal(new Shape(96, 4)).add(labels.toType(DataType.FLOAT32, false)
                    .reshape(96, 1).mul(data.create(new float[] {2, -2, 1, 0})));
            DefaultTrainingConfig config = new DefaultTrainingConfig(loss)
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.05f)).build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(96, 4));
                first = lossOf(trainer, loss, features, labels);
                for (int step = 0; step < 30; step++) {
                    try (NDManager batchManager = trainer.getManager().newSubManager()) {
                        // a batch owns (and closes) its arrays: give it copies
                        NDList x = new NDList(batchManager.create(features.toFloatArray(), features.getShape()));
                        NDList y = new NDList(batchManager.create(labels.toLongArray(), labels.getShape()));
                        Batch batch = new Batch(batchManager, x, y, 96, Batchifier.STACK, Batchifier.STACK, 0, 0);
                        EasyTrain.trainBatch(trainer, batch);
                        trainer.step();
                    }
                }
                last = lossOf(trainer, loss, features, labels);
            }
            NDArray views = data.randomNormal(new Shape(8, 5));
            float ntXent = NtXentLoss.builder().build().evaluate(new NDList(), new NDList(views, views.add(0.1f)))
                    .getFloat();
            System.out.printf("consumer: ldr-kl trained a DJL model, loss %.4f -> %.4f; nt-xent on two views %.4f (%s)%n",
                    first, last, ntXent, Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
        }
        if (!(last < first)) {
            System.err.println("consumer: training with ldr-kl did not lower the loss");
            System.exit(1);
        }
    }

    private static float lossOf(Trainer trainer, Loss loss, NDArray features, NDArray labels) {
        try (NDManager m = trainer.getManager().newSubManager()) {
            NDList predictions = trainer.evaluate(new NDList(features));
            float value = loss.evaluate(new NDList(labels), predictions).getFloat();
            predictions.close();
            return value;
        }
    }
}

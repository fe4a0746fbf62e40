package io.github.lossforge.examples.scala

import ai.djl.Model
import ai.djl.engine.Engine
import ai.djl.ndarray.{NDList, NDManager}
import ai.djl.ndarray.types.Shape
import ai.djl.nn.{Activation, SequentialBlock}
import ai.djl.nn.core.Linear
import ai.djl.training.{DefaultTrainingConfig, EasyTrain}
import ai.djl.training.dataset.ArrayDataset
import ai.djl.training.optimizer.Optimizer
import ai.djl.training.tracker.Tracker
import io.github.lossforge.core.classification.LdrKlLoss

import scala.util.{Random, Using}

/** Gaussian blobs: `classes` random centres in `dim` dimensions, unit-variance points around each. */
final case class Blobs(features: Array[Float], labels: Array[Long], dim: Int):
  def size: Int = labels.length

  def dataset(m: NDManager, batch: Int, shuffle: Boolean): ArrayDataset =
    ArrayDataset.Builder()
      .setData(m.create(features, Shape(size.toLong, dim.toLong)))
      .optLabels(m.create(labels))
      .setSampling(batch, shuffle)
      .build()

object Blobs:
  def generate(classes: Int, perClass: Int, dim: Int, seed: Int, spread: Float): Blobs =
    val centres = Random(0).pipe(r => Array.fill(classes, dim)(spread * r.nextGaussian().toFloat))
    val rnd = Random(seed)
    val n = classes * perClass
    val labels = Array.tabulate(n)(i => (i % classes).toLong)
    val features = Array.tabulate(n * dim)(k => centres(labels(k / dim).toInt)(k % dim) + rnd.nextGaussian().toFloat)
    Blobs(features, labels, dim)

extension [A](a: A) private def pipe[B](f: A => B): B = f(a)

/**
 * Trains a small MLP classifier on Gaussian blobs with LossForge's `ldr-kl` (the label-distributionally robust
 * loss, softplus-mean normalisation chosen with its enum) through DJL's `Trainer` and `EasyTrain.fit`, and
 * prints the training loss and the test accuracy.
 */
@main def TrainClassifier(): Unit =
  val classes = 5
  val train = Blobs.generate(classes, perClass = 200, dim = 10, seed = 1, spread = 1.2f)
  val test = Blobs.generate(classes, perClass = 60, dim = 10, seed = 2, spread = 1.2f)
  val loss = LdrKlLoss.builder().optLambda(1.0).optNormalize(LdrKlLoss.Normalize.SOFTPLUS_MEAN).build()
  Engine.getInstance().setRandomSeed(42)
  Using.resource(Model.newInstance("blobs")) { model =>
    model.setBlock(SequentialBlock()
      .add(Linear.builder().setUnits(32).build())
      .add(Activation.reluBlock())
      .add(Linear.builder().setUnits(classes.toLong).build()))
    val config = DefaultTrainingConfig(loss)
      .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.01f)).build())
    Using.resource(model.newTrainer(config)) { trainer =>
      trainer.initialize(Shape(32, train.dim.toLong))
      val m = trainer.getManager
      EasyTrain.fit(trainer, 8, train.dataset(m, 32, shuffle = true), null)
      Using.resource(m.newSubManager()) { sub =>
        val (trainLoss, _) = evaluate(trainer, loss, train, sub)
        val (_, accuracy) = evaluate(trainer, loss, test, sub)
        val lowest = -math.log(classes.toDouble) // the paper's LDR-KL is bounded below by −λ log C, not 0
        println(f"RESULT scala-program: ldr-kl (softplus-mean) training loss $trainLoss%.4f (lowest possible $lowest%.3f), test accuracy $accuracy%.3f")
        require(accuracy > 0.8, s"the classifier did not learn: test accuracy $accuracy")
      }
    }
  }

/** The mean loss and the accuracy of the trained model on a whole set. */
private def evaluate(trainer: ai.djl.training.Trainer, loss: LdrKlLoss, set: Blobs, m: NDManager): (Float, Double) =
  val logits = trainer.evaluate(NDList(m.create(set.features, Shape(set.size.toLong, set.dim.toLong)))).singletonOrThrow()
  val labels = m.create(set.labels)
  val value = loss.evaluate(NDList(labels), NDList(logits)).getFloat()
  val predicted = logits.argMax(1).toLongArray
  (value, predicted.indices.count(i => predicted(i) == set.labels(i)).toDouble / set.size)

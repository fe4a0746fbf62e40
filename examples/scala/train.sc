// Trains a tiny embedding model on generated two-view data with LossForge's nt-xent (by registry id) and
// triplet-margin (by builder, batch-hard mining as an enum), from Scala. Written in Almond's syntax: each block
// between `@` lines pastes into one cell of an Almond (Scala Jupyter kernel) notebook unchanged. Runs through
// Ammonite (which Almond is built on): `amm train.sc`, or examples/notebooks/run.sh. LossForge resolves from
// ~/.m2 after `mvn -B -q install -DskipTests` at the repository root.

interp.repositories() ++= Seq(
  coursierapi.MavenRepository.of("file://" + sys.props("user.home") + "/.m2/repository"))

@

import $ivy.`io.github.lossforge:losses-contrastive:0.1.0-SNAPSHOT`
import $ivy.`ai.djl.pytorch:pytorch-engine:0.36.0`
import $ivy.`ai.djl.pytorch:pytorch-jni:2.7.1-0.36.0`
import $ivy.`ai.djl.pytorch:pytorch-native-cpu:2.7.1,classifier=linux-x86_64`
import $ivy.`org.slf4j:slf4j-nop:2.0.17`

@

import ai.djl.Model
import ai.djl.engine.Engine
import ai.djl.ndarray.{NDArray, NDList, NDManager}
import ai.djl.ndarray.types.Shape
import ai.djl.nn.{Activation, SequentialBlock}
import ai.djl.nn.core.Linear
import ai.djl.training.DefaultTrainingConfig
import ai.djl.training.loss.Loss
import ai.djl.training.optimizer.Optimizer
import ai.djl.training.tracker.Tracker
import io.github.lossforge.contrastive.pairs.TripletMarginLoss
import io.github.lossforge.core.Losses
import scala.jdk.CollectionConverters._
import scala.util.{Random, Using}

System.setProperty("ai.djl.offline", "true")

/** Two views of points: 8 signal dimensions (class prototype + the point's offset, shared by both views) and
  * 24 nuisance dimensions drawn afresh for each view (the "augmentation"), which dominate raw distances. */
final case class TwoViewData(view1: Array[Float], view2: Array[Float], classes: Array[Long], dim: Int) {
  def size: Int = classes.length
}

def twoViewData(classes: Int, perClass: Int, seed: Int, signal: Int = 8, nuisance: Int = 24): TwoViewData = {
  val rnd = new Random(seed)
  val dim = signal + nuisance
  val prototypes = Array.fill(classes, signal)(rnd.nextGaussian().toFloat)
  val n = classes * perClass
  val views = Array.fill(2)(new Array[Float](n * dim))
  val labels = Array.tabulate(n)(i => (i % classes).toLong)
  for (i <- 0 until n) {
    val point = Array.tabulate(signal)(d => prototypes(labels(i).toInt)(d) + 0.5f * rnd.nextGaussian().toFloat)
    for (view <- views) {
      for (d <- 0 until signal) view(i * dim + d) = point(d) + 0.1f * rnd.nextGaussian().toFloat
      for (d <- signal until dim) view(i * dim + d) = 1.5f * rnd.nextGaussian().toFloat
    }
  }
  TwoViewData(views(0), views(1), labels, dim)
}

def rowsOf(m: NDManager, data: Array[Float], rows: Seq[Int], dim: Int): NDArray = {
  val out = new Array[Float](rows.size * dim)
  rows.zipWithIndex.foreach { case (r, i) => System.arraycopy(data, r * dim, out, i * dim, dim) }
  m.create(out, new Shape(rows.size.toLong, dim.toLong))
}

/** Fraction of view-1 points whose nearest other point's view 2 (cosine) has the same class. */
def nearestNeighbourAccuracy(e1: NDArray, e2: NDArray, classes: Array[Long]): Double = {
  val a = e1.div(e1.norm(Array(1), true))
  val b = e2.div(e2.norm(Array(1), true))
  val nearest = a.matMul(b.transpose()).sub(e1.getManager.eye(classes.length).mul(4f)).argMax(1).toLongArray
  nearest.indices.count(i => classes(nearest(i).toInt) == classes(i)).toDouble / nearest.length
}

val trainSet = twoViewData(classes = 8, perClass = 48, seed = 1)
val testSet = twoViewData(classes = 8, perClass = 16, seed = 2)

@

/** Trains an MLP (32 → 64 → 16) with Adam; returns the per-epoch mean losses and the test 1-NN accuracy. */
def train(loss: Loss, twoViews: Boolean, epochs: Int): (Seq[Double], Double) = {
  val batch = 64
  Engine.getInstance().setRandomSeed(42)
  Using.resource(Model.newInstance("embedder")) { model =>
    model.setBlock(new SequentialBlock()
      .add(Linear.builder().setUnits(64).build())
      .add(Activation.reluBlock())
      .add(Linear.builder().setUnits(16).build()))
    val config = new DefaultTrainingConfig(loss)
      .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.01f)).build())
    Using.resource(model.newTrainer(config)) { trainer =>
      trainer.initialize(new Shape(batch.toLong, trainSet.dim.toLong))
      val rnd = new Random(7)
      val curve = (1 to epochs).map { _ =>
        val order = rnd.shuffle((0 until trainSet.size).toVector)
        val losses = order.grouped(batch).filter(_.size == batch).map { rows =>
          Using.resource(trainer.getManager.newSubManager()) { m =>
            val v1 = rowsOf(m, trainSet.view1, rows, trainSet.dim)
            val v2 = rowsOf(m, trainSet.view2, rows, trainSet.dim)
            val labels = m.create(rows.map(trainSet.classes).toArray)
            val value = Using.resource(trainer.newGradientCollector()) { collector =>
              val z1 = trainer.forward(new NDList(v1)).singletonOrThrow()
              val z2 = trainer.forward(new NDList(v2)).singletonOrThrow()
              val l =
                if (twoViews) loss.evaluate(new NDList(), new NDList(z1, z2))
                else loss.evaluate(new NDList(labels.concat(labels)), new NDList(z1.concat(z2)))
              collector.backward(l)
              l.getFloat().toDouble
            }
            trainer.step()
            value
          }
        }.toVector
        losses.sum / losses.size
      }
      Using.resource(trainer.getManager.newSubManager()) { m =>
        val all = 0 until testSet.size
        val e1 = trainer.evaluate(new NDList(rowsOf(m, testSet.view1, all, testSet.dim))).singletonOrThrow()
        val e2 = trainer.evaluate(new NDList(rowsOf(m, testSet.view2, all, testSet.dim))).singletonOrThrow()
        (curve, nearestNeighbourAccuracy(e1, e2, testSet.classes))
      }
    }
  }
}

@

val ntXent = Losses.create("nt-xent", Map[String, Any]("temperature" -> 0.5).asJava)
val (ntCurve, ntAccuracy) = train(ntXent, twoViews = true, epochs = 12)
println("nt-xent loss per epoch: " + ntCurve.map(v => f"$v%.4f").mkString(", "))

val triplet = TripletMarginLoss.builder().optMargin(0.2).optMining(TripletMarginLoss.TripletMining.HARD).build()
val (tripletCurve, tripletAccuracy) = train(triplet, twoViews = false, epochs = 12)
println("triplet-margin (batch-hard) loss per epoch: " + tripletCurve.map(v => f"$v%.4f").mkString(", "))

val rawAccuracy = Using.resource(NDManager.newBaseManager()) { m =>
  val all = 0 until testSet.size
  nearestNeighbourAccuracy(rowsOf(m, testSet.view1, all, testSet.dim), rowsOf(m, testSet.view2, all, testSet.dim),
    testSet.classes)
}
println(f"RESULT scala-script: nt-xent final loss ${ntCurve.last}%.4f (1-NN accuracy $ntAccuracy%.3f), " +
  f"triplet-margin final loss ${tripletCurve.last}%.4f (1-NN accuracy $tripletAccuracy%.3f); " +
  f"raw inputs 1-NN accuracy $rawAccuracy%.3f")
require(ntCurve.last < ntCurve.head && tripletCurve.last < tripletCurve.head, "a loss did not decrease")

// Trains a tiny embedding model on generated two-view data with LossForge's nt-xent (by registry id) and
// multi-similarity (by builder), from Kotlin. Run (after `mvn -B -q install -DskipTests` at the repo root):
//   kotlin train.main.kts            (Kotlin 2.x command line), or examples/notebooks/run.sh
// Artifacts resolve from ~/.m2 (the resolver's local repository), the rest from Maven Central.
@file:DependsOn("io.github.lossforge:losses-contrastive:0.1.0-SNAPSHOT")
@file:DependsOn("ai.djl.pytorch:pytorch-engine:0.36.0")
@file:DependsOn("ai.djl.pytorch:pytorch-jni:2.7.1-0.36.0")
@file:DependsOn("ai.djl.pytorch:pytorch-native-cpu:jar:linux-x86_64:2.7.1")
@file:DependsOn("org.slf4j:slf4j-nop:2.0.17")

import ai.djl.Model
import ai.djl.engine.Engine
import ai.djl.ndarray.NDArray
import ai.djl.ndarray.NDList
import ai.djl.ndarray.NDManager
import ai.djl.ndarray.types.Shape
import ai.djl.nn.Activation
import ai.djl.nn.SequentialBlock
import ai.djl.nn.core.Linear
import ai.djl.training.DefaultTrainingConfig
import ai.djl.training.loss.Loss
import ai.djl.training.optimizer.Optimizer
import ai.djl.training.tracker.Tracker
import io.github.lossforge.contrastive.pairs.MultiSimilarityLoss
import io.github.lossforge.core.Losses
import kotlin.random.Random

System.setProperty("ai.djl.offline", "true")

/**
 * Two views of points of [classes] classes: [signal] dimensions hold a class prototype plus the point's own offset,
 * shared by both views; [nuisance] dimensions are noise drawn afresh for each view (the "augmentation") and
 * dominate raw distances.
 */
class TwoViewData(val view1: FloatArray, val view2: FloatArray, val classes: LongArray, val dim: Int) {
    val size get() = classes.size

    companion object {
        fun generate(classes: Int, perClass: Int, seed: Int, signal: Int = 8, nuisance: Int = 24): TwoViewData {
            val rnd = Random(seed)
            fun gauss() = (rnd.nextDouble() + rnd.nextDouble() + rnd.nextDouble() - 1.5).toFloat() * 2f // ≈ N(0, 1)
            val dim = signal + nuisance
            val prototypes = Array(classes) { FloatArray(signal) { gauss() } }
            val n = classes * perClass
            val views = Array(2) { FloatArray(n * dim) }
            val labels = LongArray(n) { (it % classes).toLong() }
            for (i in 0 until n) {
                val point = FloatArray(signal) { prototypes[labels[i].toInt()][it] + 0.5f * gauss() }
                for (view in views) {
                    for (d in 0 until signal) view[i * dim + d] = point[d] + 0.1f * gauss()
                    for (d in signal until dim) view[i * dim + d] = 1.5f * gauss()
                }
            }
            return TwoViewData(views[0], views[1], labels, dim)
        }
    }
}

/** Fraction of view-1 points whose nearest other point's view 2 (cosine) has the same class. */
fun nearestNeighbourAccuracy(e1: NDArray, e2: NDArray, classes: LongArray): Double {
    val a = e1.div(e1.norm(intArrayOf(1), true))
    val b = e2.div(e2.norm(intArrayOf(1), true))
    val ownViewExcluded = a.matMul(b.transpose()).sub(e1.manager.eye(classes.size).mul(4f))
    val nearest = ownViewExcluded.argMax(1).toLongArray()
    return nearest.indices.count { classes[nearest[it].toInt()] == classes[it] }.toDouble() / nearest.size
}

/** Trains a 2-layer MLP for [epochs] epochs; returns the per-epoch mean losses and the 1-NN accuracy on test data. */
fun train(loss: Loss, twoViews: Boolean, epochs: Int, train: TwoViewData, test: TwoViewData): Pair<List<Double>, Double> {
    val batch = 64
    Engine.getInstance().setRandomSeed(42)   // the same initial weights for both losses
    Model.newInstance("embedder").use { model ->
        model.block = SequentialBlock()
            .add(Linear.builder().setUnits(64).build())
            .add(Activation.reluBlock())
            .add(Linear.builder().setUnits(16).build())
        val config = DefaultTrainingConfig(loss)
            .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.01f)).build())
        model.newTrainer(config).use { trainer ->
            trainer.initialize(Shape(batch.toLong(), train.dim.toLong()))
            val rnd = Random(7)
            val curve = mutableListOf<Double>()
            repeat(epochs) {
                val order = (0 until train.size).shuffled(rnd)
                var sum = 0.0
                var batches = 0
                for (start in 0 until train.size - batch + 1 step batch) {
                    val rows = order.subList(start, start + batch)
                    trainer.manager.newSubManager().use { m ->
                        val v1 = rowsOf(m, train.view1, rows, train.dim)
                        val v2 = rowsOf(m, train.view2, rows, train.dim)
                        val labels = m.create(LongArray(batch) { train.classes[rows[it]] })
                        trainer.newGradientCollector().use { collector ->
                            val z1 = trainer.forward(NDList(v1)).singletonOrThrow()
                            val z2 = trainer.forward(NDList(v2)).singletonOrThrow()
                            val value = if (twoViews) {
                                loss.evaluate(NDList(), NDList(z1, z2))                    // nt-xent: two views
                            } else {
                                loss.evaluate(NDList(labels.concat(labels)), NDList(z1.concat(z2))) // classes
                            }
                            collector.backward(value)
                            sum += value.getFloat().toDouble()
                        }
                        trainer.step()
                    }
                    batches++
                }
                curve += sum / batches
            }
            trainer.manager.newSubManager().use { m ->
                val all = (0 until test.size).toList()
                val e1 = trainer.evaluate(NDList(rowsOf(m, test.view1, all, test.dim))).singletonOrThrow()
                val e2 = trainer.evaluate(NDList(rowsOf(m, test.view2, all, test.dim))).singletonOrThrow()
                return curve to nearestNeighbourAccuracy(e1, e2, test.classes)
            }
        }
    }
}

fun rowsOf(m: NDManager, data: FloatArray, rows: List<Int>, dim: Int): NDArray {
    val out = FloatArray(rows.size * dim)
    rows.forEachIndexed { i, r -> System.arraycopy(data, r * dim, out, i * dim, dim) }
    return m.create(out, Shape(rows.size.toLong(), dim.toLong()))
}

val trainSet = TwoViewData.generate(classes = 8, perClass = 48, seed = 1)
val testSet = TwoViewData.generate(classes = 8, perClass = 16, seed = 2)
val rawAccuracy = NDManager.newBaseManager().use { m ->
    val all = (0 until testSet.size).toList()
    nearestNeighbourAccuracy(rowsOf(m, testSet.view1, all, testSet.dim), rowsOf(m, testSet.view2, all, testSet.dim), testSet.classes)
}
println("1-NN accuracy of the raw inputs: %.3f".format(rawAccuracy))

val ntXent = Losses.create("nt-xent", mapOf("temperature" to 0.5))          // by registry id
val (ntCurve, ntAccuracy) = train(ntXent, twoViews = true, epochs = 12, train = trainSet, test = testSet)
println("nt-xent loss per epoch: " + ntCurve.joinToString { "%.4f".format(it) })

val multiSimilarity = MultiSimilarityLoss.builder().optAlpha(2.0).optBeta(40.0).optBase(0.5).build()  // by builder
val (msCurve, msAccuracy) = train(multiSimilarity, twoViews = false, epochs = 12, train = trainSet, test = testSet)
println("multi-similarity loss per epoch: " + msCurve.joinToString { "%.4f".format(it) })

println(("RESULT kotlin-script: nt-xent final loss %.4f (1-NN accuracy %.3f), multi-similarity final loss %.4f" +
    " (1-NN accuracy %.3f); raw inputs 1-NN accuracy %.3f").format(ntCurve.last(), ntAccuracy, msCurve.last(), msAccuracy, rawAccuracy))
check(ntCurve.last() < ntCurve.first() && msCurve.last() < msCurve.first()) { "a loss did not decrease" }

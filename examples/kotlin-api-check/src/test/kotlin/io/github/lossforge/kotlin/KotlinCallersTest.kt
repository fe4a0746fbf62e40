package io.github.lossforge.kotlin

import ai.djl.ndarray.NDArray
import ai.djl.ndarray.NDList
import ai.djl.training.loss.Loss
import io.github.lossforge.contrastive.PairMath
import io.github.lossforge.contrastive.condensation.GradientMatchingLoss
import io.github.lossforge.contrastive.face.MarginSoftmaxLoss
import io.github.lossforge.contrastive.face.UnpgLoss
import io.github.lossforge.contrastive.fewshot.IcnnLoss
import io.github.lossforge.contrastive.hyperbolic.HyperbolicPairwiseConfusionLoss
import io.github.lossforge.contrastive.hyperbolic.PseudoNegativeSampler
import io.github.lossforge.contrastive.mixup.MetrixLoss
import io.github.lossforge.contrastive.pairs.MultiSimilarityLoss
import io.github.lossforge.contrastive.pairs.TripletMarginLoss
import io.github.lossforge.contrastive.retrieval.MannWhitneyLoss
import io.github.lossforge.contrastive.selfsupervised.NtXentLoss
import io.github.lossforge.core.BaseLoss
import io.github.lossforge.core.Choice
import io.github.lossforge.core.LossInfo
import io.github.lossforge.core.Losses
import io.github.lossforge.core.ParamSpec
import io.github.lossforge.core.Reduction
import io.github.lossforge.core.classification.AdaptiveLdrKlLoss
import io.github.lossforge.core.classification.AnyLoss
import io.github.lossforge.core.classification.LdrKlLoss
import io.github.lossforge.core.diagnostics.NeuralCollapse
import io.github.lossforge.core.lm.CutCrossEntropyLoss
import io.github.lossforge.core.regression.AggregateResponseLoss
import io.github.lossforge.core.regression.CauchySchwarzIbLoss
import io.github.lossforge.core.sequence.DirectCoverageLoss
import io.github.lossforge.core.sequence.SequenceLogProb
import io.github.lossforge.diffusion.kernel.AttentionKernel
import io.github.lossforge.segmentation.overlap.Aggregation
import io.github.lossforge.segmentation.overlap.DiceLoss
import io.github.lossforge.segmentation.overlap.TverskyLoss
import io.github.lossforge.segmentation.pansharpening.LambdaPnnLoss
import io.github.lossforge.segmentation.topology.BettiMatchingLoss
import io.github.lossforge.segmentation.topology.Filtration
import io.github.lossforge.segmentation.topology.PersistenceDim0Loss
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/**
 * How Kotlin code calls LossForge. This file is compiled with JSpecify nullness in strict mode and warnings as
 * errors, so it fails to compile when the Java API changes in a way that breaks Kotlin callers: a renamed
 * option or enum value, a parameter that no longer accepts null (or a return that became nullable, which makes
 * `val x: T = ...` an error), or an annotation that disappears (which makes the `?.` below an unnecessary safe call).
 */
class KotlinCallersTest {

    @Test
    fun everyChoiceOptionTakesItsEnum() {
        val losses: List<Loss> = listOf(
            UnpgLoss.builder().optHead(MarginSoftmaxLoss.Head.COSFACE).optMargin(0.35).build(),
            GradientMatchingLoss.builder().optMode(GradientMatchingLoss.Mode.DCC).build(),
            TripletMarginLoss.builder().optMining(TripletMarginLoss.TripletMining.HARD).build(),
            MannWhitneyLoss.builder().optPairing(MannWhitneyLoss.Pairing.PER_QUERY).build(),
            IcnnLoss.builder().optMode(IcnnLoss.Mode.QUERY).build(),
            HyperbolicPairwiseConfusionLoss.builder().optDistance(HyperbolicPairwiseConfusionLoss.Distance.ATAN).build(),
            MetrixLoss.builder().optBase(MetrixLoss.Base.MULTI_SIMILARITY).build(),
            NtXentLoss.builder().optPseudoLabels(NtXentLoss.PseudoLabels.POSITIVE).build(),
            DirectCoverageLoss.builder().optMode(DirectCoverageLoss.Mode.WEIGHTED_CE).build(),
            CauchySchwarzIbLoss.builder().optVariant(CauchySchwarzIbLoss.Variant.CODE).build(),
            AggregateResponseLoss.builder().optBase(AggregateResponseLoss.Base.BCE).build(),
            AdaptiveLdrKlLoss.builder().setNumSamples(100).optNormalize(AdaptiveLdrKlLoss.Normalize.SOFTPLUS_L1).build(),
            LdrKlLoss.builder().optNormalize(LdrKlLoss.Normalize.SOFTPLUS_MEAN).build(),
            AnyLoss.builder().optMetric(AnyLoss.Metric.GMEAN).build(),
            BettiMatchingLoss.builder().optFiltration(Filtration.SUBLEVEL).build(),
            PersistenceDim0Loss.builder().optFiltration(Filtration.SUBLEVEL).build(),
            LambdaPnnLoss.builder().optSensor(LambdaPnnLoss.Sensor.GE1).optMtf(LambdaPnnLoss.Mtf.GAUSSIAN).build(),
            DiceLoss.builder().optAggregation(Aggregation.IMAGE).build(),
            TverskyLoss.builder().optAggregation(Aggregation.BATCH).build(),
            CutCrossEntropyLoss.builder().optFilterEps(CutCrossEntropyLoss.FilterEps.NONE).build(),
        )
        assertEquals(20, losses.map { it.name }.toSet().size)
    }

    @Test
    fun wordsStayForTheRegistryAndReadCaseInsensitively() {
        val byWord = TripletMarginLoss.builder().optMining("HARD").optReduction(Reduction.MEAN).build()
        val fromRegistry: BaseLoss = Losses.create("triplet-margin", mapOf("mining" to "hard", "margin" to 0.1))
        assertEquals(byWord.name, fromRegistry.name)
        assertEquals("per-query", MannWhitneyLoss.Pairing.PER_QUERY.key())
        assertEquals(listOf("exclude", "positive"), Choice.keys(NtXentLoss.PseudoLabels::class.java))
        val bad = assertThrows(IllegalArgumentException::class.java) { UnpgLoss.builder().optHead("sphereface") }
        assertTrue(bad.message!!.contains("unpg") && bad.message!!.contains("head"), bad.message)
    }

    @Test
    fun numericOptionsAreTyped() {
        CutCrossEntropyLoss.builder().optFilterEps(1e-5).optBlockSize(256).build()
        CutCrossEntropyLoss.builder().optFilterEps("auto").optBlockSize("auto").build()
        MultiSimilarityLoss.builder().optAlpha(2.0).optBeta(40.0).optBase(0.5).optChunk(128L).build()
    }

    @Test
    fun registryTypesAreNotPlatformTypes() {
        val info: LossInfo = Losses.info("nt-xent")
        val id: String = info.id()
        val ids: Set<String> = Losses.ids()
        val spec: ParamSpec = info.parameters().first { it.name() == "temperature" }
        val words: List<String> = Losses.info("nt-xent").parameters().first { it.name() == "pseudoLabels" }.words()
        assertTrue(id in ids)
        assertEquals(listOf("exclude", "positive"), words)
        assertEquals(NtXentLoss.DEFAULT_TEMPERATURE, spec.defaultValue()?.let { (it as Number).toDouble() })       // nullable: required parameters have none
        assertNull(PseudoNegativeSampler.hypOc().mean()?.size)      // nullable: null before the first batch
    }

    @Test
    fun optionalArraysAcceptNull() {
        val logProb: (NDArray, NDArray, NDArray?) -> NDArray = SequenceLogProb::of
        val tokenCounts: (NDArray, NDArray?) -> NDArray = SequenceLogProb::tokenCounts
        val softTargets: (NDArray, NDArray?, NDArray) -> NDArray = PairMath::softTargetCrossEntropy
        val collapse = { f: Array<DoubleArray>, l: IntArray, c: Array<DoubleArray> -> NeuralCollapse.of(f, l, c, null) }
        val layoutWithoutSelfAttention = { k: AttentionKernel, maps: NDArray, masks: NDArray ->
            k.layout(maps, null, masks, AttentionKernel.LayoutWeights(1.0, 1.0, 1.0, 1e-6))
        }
        val evaluate: (Loss, NDList, NDList) -> NDArray = Loss::evaluate
        assertEquals(6, listOf(logProb, tokenCounts, softTargets, collapse, layoutWithoutSelfAttention, evaluate).size)
    }
}

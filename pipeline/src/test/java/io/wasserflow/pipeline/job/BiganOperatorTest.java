package io.wasserflow.pipeline.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.train.Trainer;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.metrics.Metric;
import io.wasserflow.schemas.TrainingMetric;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;

/** A BiGAN experiment in the trainer operator: three networks checkpointed and restored bit for bit, the encoder's series labelled. */
class BiganOperatorTest {
    static final RunConfig CONFIG = RunConfig.parse("""
            data: {dataset: 8gaussians, topic: harness.images}
            experiments:
              - {name: bigan, model: bigan, z_dim: 1, architecture: {mlp: {depth: 2, width: 16}}, batch_size: 64, n_critic: 2, publish: {samples_every: 0, histograms_every: 2}}
            """);

    @Test
    void aBiganRestoredInTheMiddleOfABatchContinuesBitForBitAndPublishesItsEncoder() throws Exception {
        List<ImageRecord> data = TrainerOperatorTest.records(12);
        var whole = TrainerOperatorTest.harness(JobSpec.of(CONFIG, "whole", Topics.defaults(), null), null);
        TrainerOperatorTest.feed(whole, data);

        var first = TrainerOperatorTest.harness(JobSpec.of(CONFIG, "first", Topics.defaults(), null), null);
        TrainerOperatorTest.feed(first, data.subList(0, 5));
        OperatorSubtaskState snapshot = first.snapshot(1L, 1L);
        first.close();
        var second = TrainerOperatorTest.harness(JobSpec.of(CONFIG, "second", Topics.defaults(), null), snapshot);
        TrainerOperatorTest.feed(second, data.subList(5, data.size()));

        Trainer a = TrainerOperatorTest.trainer(whole, 0), b = TrainerOperatorTest.trainer(second, 0);
        assertEquals(3, a.generatorSteps());
        assertEquals(a.parameterDigest(), b.parameterDigest());
        assertArrayEquals(a.saveState(), b.saveState(), "three networks, three optimizers, random state and counters");

        for (Metric m : List.of(Metric.GRADIENT_NORM, Metric.ACTIVATION_GRADIENT_NORM, Metric.WEIGHT)) {
            Set<String> networks = new TreeSet<>();
            for (TrainingMetric r : TrainerOperatorTest.metrics(whole, m)) networks.add(r.getLabels().get("network"));
            assertEquals(Set.of("critic", "encoder", "generator"), networks, m.id);
        }
        assertTrue(TrainerOperatorTest.metrics(whole, Metric.WASSERSTEIN_ESTIMATE).size() > 0);
        whole.close();
        second.close();
    }
}

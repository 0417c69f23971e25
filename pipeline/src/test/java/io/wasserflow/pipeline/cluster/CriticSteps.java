package io.wasserflow.pipeline.cluster;

import io.wasserflow.pipeline.job.Topics;
import io.wasserflow.pipeline.kafka.KafkaClients;
import io.wasserflow.pipeline.testing.TopicFollower;
import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.TrainingMetric;
import java.util.HashMap;
import java.util.Map;

/** Follows the metrics topic: how far each run's training has got, as the highest critic step it reported. */
final class CriticSteps implements AutoCloseable {
    private final TopicFollower metrics;
    private final Map<String, Long> best = new HashMap<>(), byExperiment = new HashMap<>();

    CriticSteps(String bootstrap) throws Exception {
        String topic = Topics.defaults().metrics();
        KafkaClients.ensureTopic(bootstrap, topic);
        metrics = TopicFollower.fromStart(bootstrap, topic);
    }

    /** Reads what arrives within 100 ms; the run's highest critic step so far (0 before its first). */
    long of(String runId) throws Codec.DecodeException {
        read();
        return best.getOrDefault(runId, 0L);
    }

    /** Reads what arrives within 100 ms; the highest critic step of one experiment of the run so far (0 before its first). */
    long of(String runId, String experiment) throws Codec.DecodeException {
        read();
        return byExperiment.getOrDefault(runId + "/" + experiment, 0L);
    }

    private void read() throws Codec.DecodeException {
        for (byte[] v : metrics.poll()) {
            TrainingMetric m = Codec.TRAINING_METRIC.decode(v);
            if (!m.getName().equals("wasserflow_critic_step")) continue;
            best.merge(m.getRun(), (long) m.getValue(), Math::max);
            byExperiment.merge(m.getRun() + "/" + m.getExperiment(), (long) m.getValue(), Math::max);
        }
    }

    @Override
    public void close() {
        metrics.close();
    }
}

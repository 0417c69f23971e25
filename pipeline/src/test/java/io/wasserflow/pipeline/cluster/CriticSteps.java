package io.wasserflow.pipeline.cluster;

import io.wasserflow.pipeline.job.Topics;
import io.wasserflow.pipeline.source.ImageBatchProducer;
import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.TrainingMetric;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Follows the metrics topic: how far each run's training has got, as the highest critic step it reported. */
final class CriticSteps implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, Long> best = new HashMap<>();

    CriticSteps(String bootstrap) throws Exception {
        String topic = Topics.defaults().metrics();
        ImageBatchProducer.ensureTopic(bootstrap, topic);
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        TopicPartition tp = new TopicPartition(topic, 0);
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
    }

    /** Reads what arrives within 100 ms; the run's highest critic step so far (0 before its first). */
    long of(String runId) throws Codec.DecodeException {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            TrainingMetric m = Codec.TRAINING_METRIC.decode(r.value());
            if (m.getName().equals("wasserflow_critic_step")) best.merge(m.getRun(), (long) m.getValue(), Math::max);
        }
        return best.getOrDefault(runId, 0L);
    }

    @Override
    public void close() {
        consumer.close();
    }
}

package io.wasserflow.pipeline.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wasserflow.pipeline.broker.LocalKafkaBroker;
import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.DType;
import io.wasserflow.schemas.ImageBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Datasets streamed into a real broker come back in order, decoded, with their shapes. */
class ImageBatchProducerTest {
    static LocalKafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = LocalKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    static List<ImageBatch> readAll(String topic, int expected) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrap());
        List<ImageBatch> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.currentTimeMillis() + 30_000;
            while (out.size() < expected && System.currentTimeMillis() < deadline)
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) out.add(Codec.IMAGE_BATCH.decode(r.value()));
        }
        return out;
    }

    @Test
    void shapesComeBackInOrder() throws Exception {
        Dataset shapes = Datasets.open("shapes", null, 1);
        double epochs = 10.0 * 32 / shapes.epochSize();
        long sent = ImageBatchProducer.produce(broker.bootstrap(), shapes, "wasserflow.images.shapes", 32, epochs, null);
        assertEquals(10, sent);
        List<ImageBatch> got = readAll("wasserflow.images.shapes", 10);
        assertEquals(10, got.size());
        for (int i = 0; i < got.size(); i++) {
            ImageBatch b = got.get(i);
            assertEquals(i, b.getSequence());
            assertEquals(32, b.getCount());
            assertEquals(28, b.getHeight());
            assertEquals(DType.UINT8, b.getDtype());
            assertEquals(32 * 28 * 28, b.getValues().remaining());
        }
    }

    @Test
    void toyPointsComeBackAsFloat32() throws Exception {
        Dataset toy = Datasets.open("8gaussians", null, 1);
        ImageBatchProducer.produce(broker.bootstrap(), toy, "wasserflow.images.8gaussians", 256, 5.0 * 256 / toy.epochSize(), null);
        List<ImageBatch> got = readAll("wasserflow.images.8gaussians", 5);
        assertEquals(5, got.size());
        for (int i = 0; i < 5; i++) {
            assertEquals(i, got.get(i).getSequence());
            assertEquals(DType.FLOAT32, got.get(i).getDtype());
            assertEquals(1, got.get(i).getHeight());
            assertEquals(2, got.get(i).getWidth());
            assertEquals(256 * 2 * 4, got.get(i).getValues().remaining());
        }
    }
}

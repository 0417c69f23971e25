package io.wasserflow.pipeline.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.pipeline.kafka.KafkaClients;
import io.wasserflow.pipeline.testing.TestBroker;
import io.wasserflow.pipeline.testing.TopicReader;
import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.DType;
import io.wasserflow.schemas.ImageBatch;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Datasets streamed into a real broker come back in order, decoded, with their shapes and bytes. */
class ImageBatchProducerTest {
    @RegisterExtension
    static final TestBroker BROKER = new TestBroker();

    record Received(String key, ImageBatch batch) {}

    /** The topic's records, decoded; a producer's sends are all acknowledged (acks=all) when it returns, so all are there. */
    static List<Received> readAll(String topic) throws Exception {
        List<Received> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicReader.records(BROKER.bootstrap(), topic))
            out.add(new Received(new String(r.key(), StandardCharsets.UTF_8), Codec.IMAGE_BATCH.decode(r.value())));
        return out;
    }

    @Test
    void shapesComeBackInOrderWithTheirPixelsAndLabels() throws Exception {
        String topic = ImageBatchProducer.defaultTopic("shapes");
        assertEquals("wasserflow.images.shapes", topic);
        Dataset shapes = Datasets.open("shapes", null, 1);
        double epochs = (10.0 * 32 + 7) / shapes.epochSize(); // ten batches of 32 and a last one of 7
        List<Long> progress = new ArrayList<>();
        long sent = ImageBatchProducer.produce(BROKER.bootstrap(), shapes, topic, 32, epochs, progress::add);
        assertEquals(11, sent);
        assertEquals(327L, progress.get(progress.size() - 1));

        List<Received> got = readAll(topic);
        assertEquals(11, got.size());
        Dataset again = Datasets.open("shapes", null, 1);
        for (int i = 0; i < got.size(); i++) {
            ImageBatch b = got.get(i).batch();
            assertEquals("shapes", got.get(i).key());
            assertEquals("shapes", b.getDataset());
            assertEquals(i, b.getSequence());
            int count = i < 10 ? 32 : 7;
            assertEquals(count, b.getCount());
            assertEquals(1, b.getChannels());
            assertEquals(28, b.getHeight());
            assertEquals(28, b.getWidth());
            assertEquals(DType.UINT8, b.getDtype());
            Dataset.Batch expected = again.next(count);
            assertEquals(ByteBuffer.wrap(expected.values()), b.getValues(), "batch " + i + " pixels");
            assertEquals(ByteBuffer.wrap(expected.labels()), b.getLabels(), "batch " + i + " labels");
            assertTrue(b.getProducerTimeMs() > 0);
        }

        try (Admin admin = KafkaClients.admin(BROKER.bootstrap())) {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            assertEquals(1, d.partitions().size(), "one partition keeps the order");
            ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            assertEquals(String.valueOf(io.wasserflow.pipeline.kafka.KafkaClients.MAX_RECORD_BYTES),
                    admin.describeConfigs(List.of(res)).all().get().get(res).get("max.message.bytes").value());
        }
    }

    @Test
    void toyPointsComeBackAsFloat32() throws Exception {
        String topic = ImageBatchProducer.defaultTopic("8gaussians");
        Dataset toy = Datasets.open("8gaussians", null, 1);
        assertEquals(5, ImageBatchProducer.produce(BROKER.bootstrap(), toy, topic, 256, 5.0 * 256 / toy.epochSize(), null));
        List<Received> got = readAll(topic);
        assertEquals(5, got.size());
        Dataset again = Datasets.open("8gaussians", null, 1);
        for (int i = 0; i < 5; i++) {
            ImageBatch b = got.get(i).batch();
            assertEquals("8gaussians", got.get(i).key());
            assertEquals(i, b.getSequence());
            assertEquals(256, b.getCount());
            assertEquals(DType.FLOAT32, b.getDtype());
            assertEquals(1, b.getChannels());
            assertEquals(1, b.getHeight());
            assertEquals(2, b.getWidth());
            assertNull(b.getLabels());
            assertEquals(ByteBuffer.wrap(again.next(256).values()), b.getValues(), "batch " + i + " points");
        }
    }

    @Test
    void aBatchOverKafkasDefaultRecordLimitGoesThrough() throws Exception {
        // 2,000 shapes are 1.5 MB, over the 1 MB a topic accepts by default.
        String topic = "wasserflow.images.big";
        assertEquals(1, ImageBatchProducer.produce(BROKER.bootstrap(), Datasets.open("shapes", null, 2), topic, 2000, 2000.0 / 60_000, null));
        assertEquals(2000, readAll(topic).get(0).batch().getCount());
    }

    @Test
    void badArgumentsAreRefusedByName() throws Exception {
        Dataset shapes = Datasets.open("shapes", null, 1);
        assertEquals("batch size must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> ImageBatchProducer.produce(BROKER.bootstrap(), shapes, "t", 0, 1, null)).getMessage());
        assertEquals("epochs must be a positive number, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> ImageBatchProducer.produce(BROKER.bootstrap(), shapes, "t", 8, -1, null)).getMessage());
        assertEquals("epochs must be a positive number, got NaN",
                assertThrows(IllegalArgumentException.class, () -> ImageBatchProducer.produce(BROKER.bootstrap(), shapes, "t", 8, Double.NaN, null)).getMessage());
    }

    @Test
    void epochsCountWholeImages() {
        assertEquals(60_000, ImageBatchProducer.imagesFor(1, 60_000));
        assertEquals(5_120, ImageBatchProducer.imagesFor(20.0 * 256 / 100_000, 100_000), "a rounding error does not add an image");
        assertEquals(30_001, ImageBatchProducer.imagesFor(30_000.5 / 60_000, 60_000));
        assertEquals(1, ImageBatchProducer.imagesFor(1e-12, 60_000));
    }
}

package io.wasserflow.pipeline.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.pipeline.broker.LocalKafkaBroker;
import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.DType;
import io.wasserflow.schemas.ImageBatch;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Datasets streamed into a real broker come back in order, decoded, with their shapes and bytes. */
class ImageBatchProducerTest {
    static LocalKafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = LocalKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) broker.close();
    }

    record Received(String key, ImageBatch batch) {}

    static List<Received> readAll(String topic, int expected) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrap());
        List<Received> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.currentTimeMillis() + 30_000;
            while (out.size() < expected && System.currentTimeMillis() < deadline)
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) out.add(new Received(r.key(), Codec.IMAGE_BATCH.decode(r.value())));
        }
        return out;
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Test
    void shapesComeBackInOrderWithTheirPixelsAndLabels() throws Exception {
        String topic = ImageBatchProducer.defaultTopic("shapes");
        assertEquals("wasserflow.images.shapes", topic);
        Dataset shapes = Datasets.open("shapes", null, 1);
        double epochs = (10.0 * 32 + 7) / shapes.epochSize(); // ten batches of 32 and a last one of 7
        List<Long> progress = new ArrayList<>();
        long sent = ImageBatchProducer.produce(broker.bootstrap(), shapes, topic, 32, epochs, progress::add);
        assertEquals(11, sent);
        assertEquals(327L, progress.get(progress.size() - 1));

        List<Received> got = readAll(topic, 11);
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
            assertArrayEquals(expected.values(), bytes(b.getValues()), "batch " + i + " pixels");
            assertArrayEquals(expected.labels(), bytes(b.getLabels()), "batch " + i + " labels");
            assertTrue(b.getProducerTimeMs() > 0);
        }

        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", broker.bootstrap()))) {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            assertEquals(1, d.partitions().size(), "one partition keeps the order");
            ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            assertEquals(String.valueOf(ImageBatchProducer.MAX_RECORD_BYTES),
                    admin.describeConfigs(List.of(res)).all().get().get(res).get("max.message.bytes").value());
        }
    }

    @Test
    void toyPointsComeBackAsFloat32() throws Exception {
        String topic = ImageBatchProducer.defaultTopic("8gaussians");
        Dataset toy = Datasets.open("8gaussians", null, 1);
        assertEquals(5, ImageBatchProducer.produce(broker.bootstrap(), toy, topic, 256, 5.0 * 256 / toy.epochSize(), null));
        List<Received> got = readAll(topic, 5);
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
            assertArrayEquals(again.next(256).values(), bytes(b.getValues()), "batch " + i + " points");
        }
    }

    @Test
    void aBatchOverKafkasDefaultRecordLimitGoesThrough() throws Exception {
        // 2,000 shapes are 1.5 MB, over the 1 MB a topic accepts by default.
        String topic = "wasserflow.images.big";
        assertEquals(1, ImageBatchProducer.produce(broker.bootstrap(), Datasets.open("shapes", null, 2), topic, 2000, 2000.0 / 60_000, null));
        assertEquals(2000, readAll(topic, 1).get(0).batch().getCount());
    }

    @Test
    void badArgumentsAreRefusedByName() throws Exception {
        Dataset shapes = Datasets.open("shapes", null, 1);
        assertEquals("batch size must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> ImageBatchProducer.produce(broker.bootstrap(), shapes, "t", 0, 1, null)).getMessage());
        assertEquals("epochs must be a positive number, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> ImageBatchProducer.produce(broker.bootstrap(), shapes, "t", 8, -1, null)).getMessage());
        assertEquals("epochs must be a positive number, got NaN",
                assertThrows(IllegalArgumentException.class, () -> ImageBatchProducer.produce(broker.bootstrap(), shapes, "t", 8, Double.NaN, null)).getMessage());
    }

    @Test
    void epochsCountWholeImages() {
        assertEquals(60_000, ImageBatchProducer.imagesFor(1, 60_000));
        assertEquals(5_120, ImageBatchProducer.imagesFor(20.0 * 256 / 100_000, 100_000), "a rounding error does not add an image");
        assertEquals(30_001, ImageBatchProducer.imagesFor(30_000.5 / 60_000, 60_000));
        assertEquals(1, ImageBatchProducer.imagesFor(1e-12, 60_000));
    }
}

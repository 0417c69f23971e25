package io.wasserflow.pipeline.source;

import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.ImageBatch;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Streams a dataset into a one-partition topic as ImageBatch records, keyed by dataset name and
 * numbered 0, 1, 2, ... (per call), so a job reads them in the order they were produced. The
 * producer is idempotent with acks=all: a retried send is neither lost, nor duplicated, nor
 * reordered.
 */
public final class ImageBatchProducer {
    private ImageBatchProducer() {}

    /** Largest record: Kafka's default of 1 MB would refuse 64 float32 28x28 images; the topic is created with this limit. */
    public static final int MAX_RECORD_BYTES = 16 << 20;

    public static String defaultTopic(String dataset) {
        return "wasserflow.images." + dataset;
    }

    /** Creates the topic with one partition (the broker's default replication) unless it exists. */
    public static void ensureTopic(String bootstrap, String topic) throws InterruptedException, ExecutionException {
        NewTopic t = new NewTopic(topic, Optional.of(1), Optional.empty())
                .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(MAX_RECORD_BYTES)));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(t)).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) throw e;
        }
    }

    static Properties producerConfig(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(MAX_RECORD_BYTES + (1 << 16)));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return p;
    }

    /** Images in `epochs` passes; a product a rounding error above a whole number is that number. */
    static long imagesFor(double epochs, long epochSize) {
        return Math.max(1, (long) Math.ceil(epochs * epochSize - 1e-6));
    }

    /**
     * Sends epochs x epochSize images (rounded up to a whole image) in records of batchSize, the
     * last one partial when they do not divide, and returns the number of records. {@code progress}
     * (may be null) receives the images sent so far after each record. Creates the topic when it is
     * missing. Fails on the first record the broker refuses.
     */
    public static long produce(String bootstrap, Dataset data, String topic, int batchSize, double epochs, LongConsumer progress)
            throws InterruptedException, ExecutionException {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        if (!(epochs > 0) || Double.isInfinite(epochs)) throw new IllegalArgumentException("epochs must be a positive number, got " + epochs);
        ensureTopic(bootstrap, topic);
        long images = imagesFor(epochs, data.epochSize());
        AtomicReference<Exception> failure = new AtomicReference<>();
        long seq = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerConfig(bootstrap), new StringSerializer(), new ByteArraySerializer())) {
            for (long sent = 0; sent < images && failure.get() == null; seq++) {
                Dataset.Batch b = data.next((int) Math.min(batchSize, images - sent));
                byte[] value = Codec.IMAGE_BATCH.encode(toRecord(data.name(), seq, b));
                if (value.length > MAX_RECORD_BYTES)
                    throw new IllegalArgumentException("a batch of " + b.count() + " " + data.name() + " images is " + (value.length >> 20)
                            + " MiB, over the " + (MAX_RECORD_BYTES >> 20) + " MiB record limit: use a smaller batch size");
                producer.send(new ProducerRecord<>(topic, data.name(), value), (meta, e) -> {
                    if (e != null) failure.compareAndSet(null, e);
                });
                sent += b.count();
                if (progress != null) progress.accept(sent);
            }
            producer.flush();
        }
        if (failure.get() != null)
            throw new ExecutionException("sending " + data.name() + " to " + topic + " failed: " + failure.get().getMessage(), failure.get());
        return seq;
    }

    static ImageBatch toRecord(String dataset, long sequence, Dataset.Batch b) {
        return ImageBatch.newBuilder().setDataset(dataset).setSequence(sequence).setCount(b.count())
                .setChannels(b.channels()).setHeight(b.height()).setWidth(b.width()).setDtype(b.dtype())
                .setValues(ByteBuffer.wrap(b.values())).setLabels(b.labels() == null ? null : ByteBuffer.wrap(b.labels()))
                .setProducerTimeMs(System.currentTimeMillis()).build();
    }
}

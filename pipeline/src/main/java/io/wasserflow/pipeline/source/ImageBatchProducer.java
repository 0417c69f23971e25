package io.wasserflow.pipeline.source;

import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.ImageBatch;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Streams a dataset into a one-partition topic as ImageBatch records, keyed by dataset and numbered
 * 0, 1, 2, ..., so a job reads them in the order they were produced. The producer is idempotent
 * with acks=all: a retried send is neither lost nor duplicated, nor reordered.
 */
public final class ImageBatchProducer {
    private ImageBatchProducer() {}

    public static String defaultTopic(String dataset) {
        return "wasserflow.images." + dataset;
    }

    /** Creates the topic with one partition unless it exists. */
    public static void ensureTopic(String bootstrap, String topic) throws InterruptedException, ExecutionException {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) throw e;
        }
    }

    static Properties producerConfig(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(16 << 20));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return p;
    }

    /**
     * Sends whole batches of batchSize until epochs x epochSize images are sent; returns the number
     * of records. {@code progress} receives the images sent so far after each record.
     */
    public static long produce(String bootstrap, Dataset data, String topic, int batchSize, double epochs, LongConsumer progress)
            throws InterruptedException, ExecutionException {
        ensureTopic(bootstrap, topic);
        long images = (long) Math.ceil(epochs * data.epochSize());
        long records = (images + batchSize - 1) / batchSize;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerConfig(bootstrap), new StringSerializer(), new ByteArraySerializer())) {
            for (long seq = 0; seq < records; seq++) {
                Dataset.Batch b = data.next(batchSize);
                ImageBatch batch = ImageBatch.newBuilder().setDataset(data.name()).setSequence(seq).setCount(b.count())
                        .setChannels(data.channels()).setHeight(data.height()).setWidth(data.width()).setDtype(data.dtype())
                        .setValues(ByteBuffer.wrap(b.values())).setLabels(b.labels() == null ? null : ByteBuffer.wrap(b.labels()))
                        .setProducerTimeMs(System.currentTimeMillis()).build();
                producer.send(new ProducerRecord<>(topic, data.name(), Codec.IMAGE_BATCH.encode(batch)));
                if (progress != null) progress.accept((seq + 1) * batchSize);
            }
            producer.flush();
        }
        return records;
    }
}

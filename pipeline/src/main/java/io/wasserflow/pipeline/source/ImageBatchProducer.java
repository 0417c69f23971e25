package io.wasserflow.pipeline.source;

import io.wasserflow.pipeline.kafka.KafkaClients;
import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.ImageBatch;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Streams a dataset into a one-partition topic as ImageBatch records, keyed by dataset name and
 * numbered 0, 1, 2, ... (per call), so a job reads them in the order they were produced. The
 * producer is the project's ({@link KafkaClients#producer}): a retried send is neither lost, nor
 * duplicated, nor reordered.
 */
public final class ImageBatchProducer {
    private ImageBatchProducer() {}

    /** Largest record of an image topic: the project's record limit. */
    public static String defaultTopic(String dataset) {
        return "wasserflow.images." + dataset;
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
        KafkaClients.ensureTopic(bootstrap, topic);
        long images = imagesFor(epochs, data.epochSize());
        AtomicReference<Exception> failure = new AtomicReference<>();
        long seq = 0;
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(bootstrap)) {
            for (long sent = 0; sent < images && failure.get() == null; seq++) {
                Dataset.Batch b = data.next((int) Math.min(batchSize, images - sent));
                byte[] value = Codec.IMAGE_BATCH.encode(toRecord(data.name(), seq, b));
                if (value.length > KafkaClients.MAX_RECORD_BYTES)
                    throw new IllegalArgumentException("a batch of " + b.count() + " " + data.name() + " images is " + (value.length >> 20)
                            + " MiB, over the " + (KafkaClients.MAX_RECORD_BYTES >> 20) + " MiB record limit: use a smaller batch size");
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

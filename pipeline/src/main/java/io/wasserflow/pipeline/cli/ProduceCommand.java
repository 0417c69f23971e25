package io.wasserflow.pipeline.cli;

import io.wasserflow.pipeline.kafka.KafkaClients;
import io.wasserflow.pipeline.BadInputException;
import io.wasserflow.pipeline.source.BrokerCheck;
import io.wasserflow.pipeline.source.Dataset;
import io.wasserflow.pipeline.source.Datasets;
import io.wasserflow.pipeline.source.ImageBatchProducer;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `wasserflow produce`: streams a dataset into Kafka as ImageBatch records. */
@Command(name = "produce", description = "Streams a dataset into Kafka as ImageBatch records, in order.")
final class ProduceCommand implements Callable<Integer> {
    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "the Kafka broker")
    String bootstrap;

    @Option(names = "--dataset", required = true, paramLabel = "D", completionCandidates = DatasetNames.class, description = "one of ${COMPLETION-CANDIDATES}")
    String name;

    @Option(names = "--topic", paramLabel = "T", description = "the topic (default: wasserflow.images.D)")
    String topic;

    @Option(names = "--batch-size", paramLabel = "B", description = "images a record (default: 256 for the 2-D toy sets, 64 for images)")
    Integer batchSize;

    @Option(names = "--epochs", paramLabel = "E", description = "passes over the dataset (an endless toy set's epoch is 100,000 points)")
    double epochs = 1;

    @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST's folder (default: the Debian package's)")
    Path dataDir;

    @Option(names = "--seed", paramLabel = "S", description = "the seed of the generated datasets")
    int seed = 1;

    /** The dataset names, for the usage. */
    static final class DatasetNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of(Datasets.NAMES).iterator();
        }
    }

    @Override
    public Integer call() throws Exception {
        int batchSize = this.batchSize != null ? this.batchSize : Datasets.isToy(name) ? 256 : 64;
        if (batchSize < 1) throw new BadInputException("--batch-size must be at least 1, got " + batchSize);
        if (!(epochs > 0) || Double.isInfinite(epochs)) throw new BadInputException("--epochs must be a positive number, got " + epochs);
        Dataset data = Datasets.open(name, dataDir, seed);
        long imageBytes = (long) data.channels() * data.height() * data.width() * (data.dtype() == io.wasserflow.schemas.DType.FLOAT32 ? 4 : 1);
        long maxBatch = (KafkaClients.MAX_RECORD_BYTES - (1 << 16)) / (imageBytes + 1); // values and a label per image, and room for the rest
        if (batchSize > maxBatch)
            throw new BadInputException("--batch-size " + batchSize + " makes records over the " + (KafkaClients.MAX_RECORD_BYTES >> 20) + " MiB limit; at most "
                    + maxBatch + " " + name + " images a record");
        String topic = this.topic != null ? this.topic : ImageBatchProducer.defaultTopic(name);
        BrokerCheck.requireReachable(bootstrap);
        long total = (long) Math.ceil(epochs * data.epochSize());
        System.out.printf(Locale.ROOT, "produce: %s -> %s on %s, %d images in batches of %d%n", name, topic, bootstrap, total, batchSize);
        long[] lastPrint = {System.currentTimeMillis()};
        long records = ImageBatchProducer.produce(bootstrap, data, topic, batchSize, epochs, sent -> {
            long now = System.currentTimeMillis();
            if (now - lastPrint[0] > 2000) {
                System.out.printf(Locale.ROOT, "produce: %d / %d images (%.0f%%)%n", Math.min(sent, total), total, 100.0 * Math.min(sent, total) / total);
                lastPrint[0] = now;
            }
        });
        System.out.printf(Locale.ROOT, "produce: done, %d records%n", records);
        return 0;
    }
}

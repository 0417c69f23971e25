package io.wasserflow.pipeline.cli;

import io.wasserflow.pipeline.BadInputException;
import io.wasserflow.pipeline.source.BrokerCheck;
import io.wasserflow.pipeline.source.Dataset;
import io.wasserflow.pipeline.source.Datasets;
import io.wasserflow.pipeline.source.ImageBatchProducer;
import java.nio.file.Path;
import java.util.Locale;

/** `wasserflow produce`: streams a dataset into Kafka as ImageBatch records. */
final class ProduceCommand {
    private ProduceCommand() {}

    static int run(Args args) throws Exception {
        String bootstrap = args.require("bootstrap");
        String name = args.require("dataset");
        int batchSize = args.getInt("batch-size", Datasets.isToy(name) ? 256 : 64);
        double epochs = args.getDouble("epochs", 1);
        if (batchSize < 1) throw new BadInputException("--batch-size must be at least 1, got " + batchSize);
        if (!(epochs > 0) || Double.isInfinite(epochs)) throw new BadInputException("--epochs must be a positive number, got " + epochs);
        Dataset data = Datasets.open(name, args.has("data") ? Path.of(args.get("data", "")) : null, args.getInt("seed", 1));
        long imageBytes = (long) data.channels() * data.height() * data.width() * (data.dtype() == io.wasserflow.schemas.DType.FLOAT32 ? 4 : 1);
        long maxBatch = (ImageBatchProducer.MAX_RECORD_BYTES - (1 << 16)) / (imageBytes + 1); // values and a label per image, and room for the rest
        if (batchSize > maxBatch)
            throw new BadInputException("--batch-size " + batchSize + " makes records over the " + (ImageBatchProducer.MAX_RECORD_BYTES >> 20) + " MiB limit; at most "
                    + maxBatch + " " + name + " images a record");
        String topic = args.get("topic", ImageBatchProducer.defaultTopic(name));
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

package io.wasserflow.pipeline.cli;

import io.wasserflow.pipeline.config.ConfigException;
import io.wasserflow.pipeline.config.RunConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.common.TopicPartition;

/** `wasserflow train`: the training job on a local MiniCluster (or a cluster, when submitted with flink run). */
final class TrainCommand {
    private TrainCommand() {}

    static int run(Args args) throws Exception {
        String bootstrap = args.require("bootstrap");
        RunConfig config;
        try {
            config = RunConfig.load(Path.of(args.require("config")));
        } catch (ConfigException e) {
            throw e.asUsage();
        }
        OffsetsInitializer from = from(args.get("from", "earliest"), config.topic());
        String until = args.choice("until", "latest", "latest", "never");
        ProduceCommand.requireReachable(bootstrap);
        String runId = args.get("run-id", newRunId());
        LocalRun.run(bootstrap, config, runId, Path.of(args.get("workdir", "wasserflow-data")), from,
                until.equals("latest") ? OffsetsInitializer.latest() : null);
        return 0;
    }

    static String newRunId() {
        return java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
                + UUID.randomUUID().toString().substring(0, 6);
    }

    static OffsetsInitializer from(String spec, String topic) {
        if (spec.equals("earliest")) return OffsetsInitializer.earliest();
        if (spec.equals("latest")) return OffsetsInitializer.latest();
        try {
            if (spec.startsWith("timestamp:")) return OffsetsInitializer.timestamp(Long.parseLong(spec.substring(10)));
            if (spec.startsWith("offsets:")) {
                Map<TopicPartition, Long> offsets = new HashMap<>();
                for (String po : spec.substring(8).split(",")) {
                    String[] kv = po.split("=");
                    offsets.put(new TopicPartition(topic, Integer.parseInt(kv[0].trim())), Long.parseLong(kv[1].trim()));
                }
                return OffsetsInitializer.offsets(offsets);
            }
        } catch (RuntimeException e) {
            // fall through to the message below
        }
        throw new UsageException("--from must be earliest, latest, timestamp:MS or offsets:P=O,..., got '" + spec + "'");
    }
}

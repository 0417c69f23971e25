package io.wasserflow.pipeline.cli;

import io.wasserflow.pipeline.BadInputException;
import io.wasserflow.pipeline.config.Presets;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.source.BrokerCheck;
import java.nio.file.Path;
import java.util.UUID;

/** `wasserflow train`: the training job on a local MiniCluster (or a cluster, when submitted with flink run). */
final class TrainCommand {
    private TrainCommand() {}

    static int run(Args args) throws Exception {
        String bootstrap = args.require("bootstrap");
        RunConfig config = Presets.load(args.require("config"));
        String from = args.get("from", "earliest");
        checkFrom(from);
        String until = args.choice("until", "latest", "latest", "never");
        String runId = args.get("run-id", newRunId());
        if (!runId.matches("[A-Za-z0-9][A-Za-z0-9_.-]*"))
            throw new BadInputException("--run-id may hold only letters, digits, '.', '_' and '-' and starts with a letter or digit (it names a folder), got '" + runId + "'");
        BrokerCheck.requireReachable(bootstrap);
        LocalRun.run(bootstrap, config, runId, Path.of(args.get("workdir", "wasserflow-data")), LocalRun.resolve(bootstrap, config.topic(), from),
                until.equals("latest") ? LocalRun.resolve(bootstrap, config.topic(), "latest") : null, 0);
        return 0;
    }

    static String newRunId() {
        return java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
                + UUID.randomUUID().toString().substring(0, 6);
    }

    /** Refuses a malformed --from before anything starts. */
    static void checkFrom(String spec) {
        if (spec.equals("earliest") || spec.equals("latest") || spec.matches("timestamp:\\d+") || spec.matches("offsets:\\d+=\\d+(,\\d+=\\d+)*")) {
            try { // the numbers must fit too: a partition is an int, an offset and a timestamp a long
                if (spec.startsWith("timestamp:")) Long.parseLong(spec.substring("timestamp:".length()));
                if (spec.startsWith("offsets:"))
                    for (String po : spec.substring("offsets:".length()).split(",")) {
                        Integer.parseInt(po.substring(0, po.indexOf('=')));
                        Long.parseLong(po.substring(po.indexOf('=') + 1));
                    }
                return;
            } catch (NumberFormatException e) {
                throw new BadInputException("--from holds a number out of range (partitions up to " + Integer.MAX_VALUE + ", offsets and timestamps up to "
                        + Long.MAX_VALUE + "), got '" + spec + "'");
            }
        }
        throw new BadInputException("--from must be earliest, latest, timestamp:MS or offsets:P=O,..., got '" + spec + "'");
    }
}

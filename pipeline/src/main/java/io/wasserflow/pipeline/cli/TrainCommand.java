package io.wasserflow.pipeline.cli;

import io.wasserflow.pipeline.BadInputException;
import io.wasserflow.pipeline.config.Presets;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.source.BrokerCheck;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `wasserflow train`: the training job on a local MiniCluster (or a cluster, when submitted with flink run). */
@Command(name = "train", description = "Builds the training job and runs it on a local Flink MiniCluster, or on a cluster when the same jar is submitted with `flink run`.")
final class TrainCommand implements Callable<Integer> {
    /** Where the run stops reading: at the topic's end when it starts, or never (until Ctrl-C). Spelled as on the command line. */
    enum Until { latest, never }

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "the Kafka broker (required but for --dry-run)")
    String bootstrap;

    @Option(names = "--config", required = true, paramLabel = "FILE|PRESET", description = "the experiments: a YAML file or a preset's name")
    String configSpec;

    @Option(names = "--from", paramLabel = "earliest|latest|timestamp:MS|offsets:P=O,...", description = "where in the topic the run starts")
    String from = "earliest";

    @Option(names = "--until", paramLabel = "latest|never", description = "where it stops: the topic's end when it starts, or never (until Ctrl-C)")
    Until until = Until.latest;

    @Mixin
    WorkdirOption workdirOption;

    @Mixin
    MetricsBindOption metricsBind;

    @Option(names = "--dry-run", description = DryRun.FLAG_HELP)
    boolean dryRun;

    @Option(names = "--run-id", paramLabel = "ID", description = "the run's id (default: a new one, from the time)")
    String runId;

    @Override
    public Integer call() throws Exception {
        RunConfig config = Presets.load(configSpec);
        if (dryRun) {
            DryRun.print(config, System.out);
            return 0;
        }
        if (bootstrap == null) throw new BadInputException("--bootstrap is required");
        io.wasserflow.pipeline.config.MemoryCheck.check(config); // its experiments train in this JVM (a MiniCluster)
        checkFrom(from); // after the config, so a bad config is named first
        String runId = this.runId != null ? this.runId : newRunId();
        if (!runId.matches("[A-Za-z0-9][A-Za-z0-9_.-]*"))
            throw new BadInputException("--run-id may hold only letters, digits, '.', '_' and '-' and starts with a letter or digit (it names a folder), got '" + runId + "'");
        BrokerCheck.requireReachable(bootstrap);
        LocalRun.run(bootstrap, config, runId, workdirOption.dir, LocalRun.resolve(bootstrap, config.topic(), from),
                until == Until.latest ? LocalRun.resolve(bootstrap, config.topic(), "latest") : null, 0);
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

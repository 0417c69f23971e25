package io.wasserflow.pipeline.cli;

import io.wasserflow.pipeline.BadInputException;
import io.wasserflow.pipeline.broker.LocalKafkaBroker;
import io.wasserflow.pipeline.config.ConfigException;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.job.RetainedCheckpoints;
import io.wasserflow.pipeline.kafka.KafkaClients;
import io.wasserflow.pipeline.run.RunDir;
import io.wasserflow.pipeline.run.RunFolder;
import io.wasserflow.pipeline.source.BrokerCheck;
import io.wasserflow.pipeline.source.Dataset;
import io.wasserflow.pipeline.source.Datasets;
import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.RunManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `wasserflow resume`: continues a run whose process died (kill -9, out of memory, a reboot) from
 * the latest retained checkpoint in its folder that reads whole, with the same run id: the same
 * config, topic, end offsets and step limit as its manifest, on the broker it used (the demo's
 * embedded broker restarted on its log, unless --bootstrap names another). A bounded run ends where
 * it would have ended, with the digest of an uninterrupted run; an unbounded one trains until
 * interrupted. Newer checkpoints that are incomplete or corrupt are passed over, one line each; with
 * none usable it says so in one line and starts nothing (exit code 4).
 */
@Command(name = "resume", description = "Continues a run whose process was killed from its latest retained checkpoint, to the end it would have had, "
        + "with the same run id and the digest of an uninterrupted run.",
        exitCodeListHeading = "Exit codes:%n", exitCodeList = {"0:the run ended", "2:bad input", "4:nothing to resume (no usable checkpoint, or the run finished)"})
final class ResumeCommand implements Callable<Integer> {
    static final int NOTHING_TO_RESUME = 4;

    @Mixin
    RunIdOption runOption;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "the broker holding the run's records (default: the one its manifest names; "
            + "for a demo, its embedded broker restarted on the working folder's log)")
    String bootstrap;

    @Mixin
    WorkdirOption workdirOption;

    @Mixin
    MetricsBindOption metricsBind;

    @Override
    public Integer call() throws Exception {
        String runId = runOption.id;
        Path workdir = workdirOption.dir;
        RunDir dir = RunDir.of(workdir, runId);
        if (!runId.matches("[A-Za-z0-9_.-]+") || !Files.isDirectory(dir.dir()))
            throw new BadInputException("no run '" + runId + "' in " + RunDir.runs(workdir) + RunFolder.knownRuns(RunDir.runs(workdir)));
        if (!Files.isRegularFile(dir.manifest()))
            throw new BadInputException("run " + runId + " has no " + RunDir.MANIFEST + " in " + dir.dir() + " (an older version wrote it only at the end): it cannot be resumed");
        RunManifest run;
        try {
            run = Codec.RUN_MANIFEST.decode(Files.readAllBytes(dir.manifest()));
        } catch (Codec.DecodeException e) {
            throw new BadInputException(dir.manifest() + " is not a run manifest: " + e.getMessage());
        }
        if (run.getFinalParameterDigest() != null) {
            System.err.printf("wasserflow resume: run %s finished (final parameters digest %s): nothing to resume (replay re-runs it)%n", runId,
                    run.getFinalParameterDigest().substring(0, Math.min(16, run.getFinalParameterDigest().length())));
            return NOTHING_TO_RESUME;
        }
        RunConfig config;
        try {
            config = RunConfig.parse(run.getConfigYaml());
        } catch (ConfigException e) {
            throw new BadInputException("run " + runId + ": the config in its manifest no longer parses: " + e.getMessage());
        }
        io.wasserflow.pipeline.config.MemoryCheck.check(config);

        // which checkpoint, before any broker or job starts
        RetainedCheckpoints.Choice choice = RetainedCheckpoints.latestUsable(dir.checkpoints());
        for (String line : choice.passedOver()) System.err.println("wasserflow resume: " + line);
        if (choice.usable() == null) {
            System.err.printf("wasserflow resume: run %s has no usable checkpoint in %s%s: nothing started%n", runId, dir.checkpoints(),
                    choice.passedOver().isEmpty() ? " (none was taken: checkpoints.interval_seconds is " + config.checkpoints().intervalSeconds()
                            + " s, and the run may have died before its first)" : " (every one was passed over)");
            return NOTHING_TO_RESUME;
        }
        RunManifest here = LocalRun.manifest(config, runId, Map.of(), null, null, 0, null).build();
        String difference = ReplayCommand.firstDifference(run, here);
        if (difference != null) System.out.printf("resume %s: note: %s; the final parameters will not be those of an uninterrupted run%n", runId, difference);

        Map<Integer, Long> start = ReplayCommand.byPartition(run.getStartOffsets());
        Map<Integer, Long> stop = run.getEndOffsets().isEmpty() ? null : ReplayCommand.byPartition(run.getEndOffsets());
        long steps = run.getMaxGeneratorSteps() == null ? 0 : run.getMaxGeneratorSteps();
        Path embedded = bootstrap == null && run.getEmbeddedBrokerLog() != null ? Path.of(run.getEmbeddedBrokerLog()) : null;
        LocalKafkaBroker broker = null;
        try {
            String address = bootstrap;
            if (embedded != null) {
                if (!Files.exists(embedded.resolve("data").resolve("meta.properties")))
                    throw new BadInputException("run " + runId + " used the embedded broker of " + embedded + ", which holds no broker log any more"
                            + " (give --bootstrap HOST:PORT if its records are on another broker)");
                broker = LocalKafkaBroker.start(embedded, 0);
                address = broker.bootstrap();
                System.out.printf("resume %s: restarted the embedded broker from its log in %s on %s%n", runId, embedded, address);
            } else {
                if (address == null) address = run.getBootstrap();
                if (address == null) throw new BadInputException("run " + runId + "'s manifest names no broker: give --bootstrap HOST:PORT");
                BrokerCheck.requireReachable(address);
            }
            LocalRun.Resumption resumption = new LocalRun.Resumption(run, choice.usable(), choice.passedOver());
            LocalRun.Broker used = new LocalRun.Broker(address, embedded);
            if (stop == null && embedded != null) {
                // an unbounded demo: its data streams on from where the producer stopped, while the run trains
                Dataset data = Datasets.open(config.dataset(), null, 1);
                int batch = DemoCommand.producerBatch(config);
                long records = LocalRun.resolve(address, config.topic(), "latest").getOrDefault(0, 0L) - start.getOrDefault(0, 0L);
                for (long r = 0; r < records; r++) data.next(batch);
                try (DemoCommand.Streamer streamer = new DemoCommand.Streamer(address, data, config, batch, runId)) {
                    streamer.start();
                    LocalRun.run(used, config, runId, workdir, start, null, steps, run.getReplayOf(), streamer::close, resumption);
                }
            } else {
                LocalRun.run(used, config, runId, workdir, start, stop, steps, run.getReplayOf(), () -> {}, resumption);
            }
        } finally {
            if (broker != null) broker.close();
        }
        return 0;
    }
}

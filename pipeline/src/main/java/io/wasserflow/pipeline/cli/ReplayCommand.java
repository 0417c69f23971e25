package io.wasserflow.pipeline.cli;

import io.wasserflow.pipeline.kafka.KafkaClients;
import java.time.Duration;
import io.wasserflow.pipeline.BadInputException;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.pipeline.run.ExperimentResult;
import io.wasserflow.pipeline.run.Machine;
import io.wasserflow.pipeline.run.RunDir;
import io.wasserflow.pipeline.run.RunFolder;
import io.wasserflow.pipeline.broker.LocalKafkaBroker;
import io.wasserflow.pipeline.config.ConfigException;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.source.BrokerCheck;
import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.RunManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `wasserflow replay`: re-runs a finished run from its manifest (config, seed, code version, topic,
 * offsets, step limit) as a new run, and says whether its final parameters are bit-identical. Before
 * anything trains it compares the manifest with this build and machine (code version, backend, BLAS
 * library, core type, thread count) and checks that the topic still holds the records the run read;
 * where either fails it refuses, naming the first difference. Exit codes: 0 bit-identical,
 * 3 different, 4 refused, 2 bad input (an unknown run).
 */
@Command(name = "replay", description = "Re-runs a finished run from its manifest as a new run and says whether its final parameters are bit-identical.",
        exitCodeListHeading = "Exit codes:%n", exitCodeList = {"0:bit-identical", "2:bad input", "3:different", "4:refused (the build, machine or topic cannot replay it)"})
final class ReplayCommand implements Callable<Integer> {
    static final int DIFFERENT = 3, REFUSED = 4;

    @Mixin
    RunIdOption runOption;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "the broker holding its records (default: the working folder's broker log, restarted)")
    String bootstrap;

    @Mixin
    WorkdirOption workdirOption;

    /** Why a run cannot be replayed bit for bit here: one line, after "refused: ". */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    @Override
    public Integer call() throws Exception {
        String runId = runOption.id;
        try {
            return replay(workdirOption.dir, runId, bootstrap);
        } catch (Refused e) {
            System.err.println("wasserflow replay: refused: " + e.getMessage());
            return REFUSED;
        }
    }

    private static int replay(Path workdir, String runId, String bootstrap) throws Exception {
        RunManifest run = readManifest(workdir, runId);
        RunConfig config;
        try {
            config = RunConfig.parse(run.getConfigYaml());
        } catch (ConfigException e) {
            throw new BadInputException("run " + runId + ": the config in its manifest no longer parses: " + e.getMessage());
        }
        if (run.getFinalParameterDigest() == null) throw new Refused("run " + runId + " did not finish (its manifest has no final parameter digest)");
        if (run.getEndOffsets().isEmpty())
            throw new Refused("run " + runId + " read " + run.getTopic() + " with no end offsets (--until never): there is no fixed set of records to replay");
        RunManifest here = LocalRun.manifest(config, runId, Map.of(), null, null, 0, null).build();
        String difference = firstDifference(run, here);
        if (difference != null) throw new Refused(difference);
        if (run.getCodeModified())
            System.out.printf("replay %s: note: the run and this build both come from a modified tree at %s; the modifications themselves cannot be compared%n",
                    runId, run.getCodeCommit());

        Map<Integer, Long> start = byPartition(run.getStartOffsets()), end = byPartition(run.getEndOffsets());
        LocalKafkaBroker broker = null;
        try {
            if (bootstrap == null) {
                Path log = workdir.resolve("kafka");
                if (!Files.exists(log.resolve("data").resolve("meta.properties")))
                    throw new Refused("no embedded broker log in " + log + ", so topic " + run.getTopic() + " no longer holds the run's records"
                            + " (give --bootstrap HOST:PORT if they are on another broker)");
                broker = LocalKafkaBroker.start(log, 0);
                bootstrap = broker.bootstrap();
                System.out.printf("replay %s: restarted the embedded broker from its log in %s on %s%n", runId, log.toAbsolutePath(), bootstrap);
            } else {
                BrokerCheck.requireReachable(bootstrap);
            }
            checkOffsets(bootstrap, run.getTopic(), start, end);

            Long limit = run.getMaxGeneratorSteps();
            if (limit == null)
                System.out.printf("replay %s: note: its manifest does not record a generator-step limit (an older version wrote it): replaying with none%n", runId);
            String replayId = TrainCommand.newRunId();
            System.out.printf("replay %s: re-running it as %s on %s, offsets %s to %s%n", runId, replayId, run.getTopic(), start, end);
            RunManifest replayed = LocalRun.run(bootstrap, config, replayId, workdir, start, end, limit == null ? 0 : limit, runId);

            if (run.getFinalParameterDigest().equals(replayed.getFinalParameterDigest())) {
                System.out.printf("replay %s: bit-identical (digest %s, replayed as %s)%n", runId, replayed.getFinalParameterDigest(), replayId);
                return 0;
            }
            System.out.printf("replay %s: DIFFERENT: final parameter digest %s, the run's was %s (replayed as %s)%s%n", runId,
                    replayed.getFinalParameterDigest(), run.getFinalParameterDigest(), replayId,
                    experimentDifferences(config, RunDir.of(workdir, runId), RunDir.of(workdir, replayId)));
            return DIFFERENT;
        } finally {
            if (broker != null) broker.close();
        }
    }

    static RunManifest readManifest(Path workdir, String runId) throws IOException {
        Path runs = RunDir.runs(workdir), dir = RunDir.of(workdir, runId).dir();
        if (!runId.matches("[A-Za-z0-9_.-]+") || !Files.isDirectory(dir)) throw new BadInputException("no run '" + runId + "' in " + runs + RunFolder.knownRuns(runs));
        Path file = RunDir.of(workdir, runId).manifest();
        if (!Files.isRegularFile(file))
            throw new BadInputException("run " + runId + " has no " + RunDir.MANIFEST + " in " + dir + " (it has not finished, or an older version wrote it)");
        try {
            return Codec.RUN_MANIFEST.decode(Files.readAllBytes(file));
        } catch (Codec.DecodeException e) {
            throw new BadInputException(file + " is not a run manifest: " + e.getMessage());
        }
    }

    /** What "bit for bit" needs and differs between the run and this build on this machine, the first only; null when nothing does. */
    static String firstDifference(RunManifest run, RunManifest here) {
        if (!run.getCodeCommit().equals(here.getCodeCommit()) || run.getCodeModified() != here.getCodeModified()) {
            boolean sameCommit = run.getCodeCommit().equals(here.getCodeCommit());
            return "code version differs: run was " + version(run, sameCommit) + ", this build is " + version(here, sameCommit);
        }
        if (!run.getBackend().equals(here.getBackend()))
            return "ND4J backend differs: run used " + run.getBackend() + ", this machine has " + here.getBackend();
        if (run.getProcessor().isEmpty())
            return "the run's manifest does not record its processor and instruction sets (an older version wrote it), so bit for bit cannot be checked";
        String machine = machineOf(here).firstDifference(machineOf(run));
        if (machine != null) return machine + " (SPEC section 5: digests depend on the processor)";
        if (run.getBlasThreads() != here.getBlasThreads())
            return "BLAS thread count differs: run used " + run.getBlasThreads() + ", this replay would use " + here.getBlasThreads() + " (trainer.blas_threads)";
        return null;
    }

    private static Machine machineOf(RunManifest m) {
        return new Machine(m.getProcessor(), m.getInstructionSets(), m.getOnednnIsa(), m.getNativeLibrary(), m.getBlasLibrary(), m.getBlasCoreType());
    }

    private static String version(RunManifest m, boolean full) {
        String c = m.getCodeCommit();
        return (full || c.length() <= 7 ? c : c.substring(0, 7)) + (m.getCodeModified() ? " (modified)" : "");
    }

    static Map<Integer, Long> byPartition(Map<String, Long> offsets) throws Refused {
        Map<Integer, Long> out = new TreeMap<>();
        for (Map.Entry<String, Long> e : offsets.entrySet()) {
            try {
                out.put(Integer.parseInt(e.getKey()), e.getValue());
            } catch (NumberFormatException bad) {
                throw new Refused("the manifest names partition '" + e.getKey() + "', not a partition number");
            }
        }
        return out;
    }

    /** Every partition of the run still holds [start, end): earliest <= start and latest >= end. */
    static void checkOffsets(String bootstrap, String topic, Map<Integer, Long> start, Map<Integer, Long> end) throws Exception {
        try (Admin admin = KafkaClients.admin(bootstrap, Duration.ofSeconds(10), Duration.ofSeconds(30))) {
            TopicDescription d;
            try {
                d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) throw new Refused("topic " + topic + " no longer exists on " + bootstrap);
                throw e;
            }
            Set<Integer> partitions = new java.util.HashSet<>();
            for (TopicPartitionInfo p : d.partitions()) partitions.add(p.partition());
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>(), latest = new HashMap<>();
            for (int p : start.keySet()) {
                if (!partitions.contains(p)) throw new Refused("topic " + topic + " no longer has partition " + p + " (it has " + partitions.size() + ")");
                earliest.put(new TopicPartition(topic, p), OffsetSpec.earliest());
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> first = admin.listOffsets(earliest).all().get(), last = admin.listOffsets(latest).all().get();
            for (Map.Entry<Integer, Long> e : start.entrySet()) {
                int p = e.getKey();
                long from = e.getValue(), to = Objects.requireNonNullElse(end.get(p), from);
                if (from >= to) continue; // the run read nothing here
                TopicPartition tp = new TopicPartition(topic, p);
                long lo = first.get(tp).offset(), hi = last.get(tp).offset();
                if (lo > from || hi < to)
                    throw new Refused(String.format("topic %s partition %d no longer holds offsets %d to %d that the run read (it holds %d to %d%s)",
                            topic, p, from, to, lo, hi, lo > from ? ": records before " + lo + " were deleted" : ""));
            }
        }
    }

    /** Which experiments ended elsewhere than in the run, from the two folders' results (empty when the run's are gone). */
    private static String experimentDifferences(RunConfig config, RunDir run, RunDir replay) {
        List<String> out = new ArrayList<>();
        try {
            List<String> names = config.experiments().stream().map(ExperimentConfig::name).toList();
            Map<String, ExperimentResult> was = run.results(names), now = replay.results(names);
            for (String name : names) {
                ExperimentResult a = was.get(name), b = now.get(name);
                if (a == null || b == null) continue;
                if (a.generatorSteps() != b.generatorSteps() || a.criticSteps() != b.criticSteps())
                    out.add(String.format("%s ended at generator step %d, critic step %d; the run at %d, %d", name, b.generatorSteps(), b.criticSteps(),
                            a.generatorSteps(), a.criticSteps()));
                else if (!a.parameterDigest().equals(b.parameterDigest()))
                    out.add(String.format("%s's parameters differ after the same %d critic steps", name, b.criticSteps()));
            }
        } catch (Exception e) {
            return "";
        }
        return out.isEmpty() ? "" : ": " + String.join("; ", out);
    }
}

package io.wasserflow.pipeline.config;

import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.pipeline.source.Datasets;
import io.wasserflow.pipeline.source.ImageBatchProducer;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * One run (SPEC §4): the data and a list of experiments, read from YAML and validated before
 * anything starts. An experiment's keys are {@link ExperimentKeys}'; unset keys take the reference
 * defaults for the kind of data. With a {@code sweep:} section the listed experiments are the
 * methods, and {@link #experiments} the expanded ones ({@link Sweep}); {@link #sweep} says which
 * method and setting each came from ({@link Sweep#NONE} without one).
 */
public record RunConfig(String dataset, String topic, List<ExperimentConfig> experiments, String yaml, Checkpoints checkpoints,
        TrainerSlots trainer, Sweep sweep) implements Serializable {

    static final Set<String> TOP = Set.of("data", "experiments", "checkpoints", "trainer", "sweep");
    static final Set<String> CHECKPOINTS = Set.of("interval_seconds", "retained");
    static final Set<String> TRAINER = Set.of("parallelism", "blas_threads");

    /**
     * How the experiments spread over the job's slots. {@code parallelism} trainer subtasks (0: the
     * job's parallelism, i.e. {@code flink run -p N} or the cluster's {@code parallelism.default};
     * a local run takes the machine's cores), never more than there are experiments; each subtask
     * trains the experiments {@code TrainerAssignment} gives it, balanced by their FLOPs. Every
     * trainer uses {@code blasThreads} BLAS and ND4J threads, whatever the slots: an experiment's
     * bits do not depend on where or beside whom it ran (the run manifest records the figure, and
     * replay uses it).
     */
    public record TrainerSlots(int parallelism, int blasThreads) implements Serializable {
        /** One BLAS thread a trainer: what the demo's two experiments on two cores had, and what keeps their digests. */
        public static final TrainerSlots DEFAULT = new TrainerSlots(0, 1);
        public static final int MAX_PARALLELISM = 4096, MAX_BLAS_THREADS = 256;
    }

    /**
     * How a local run (demo, train on a MiniCluster) checkpoints: every {@code intervalSeconds}
     * (0: never), keeping the latest {@code retained} in the run's folder, where a killed run resumes
     * from. On a cluster, Flink's own configuration decides.
     */
    public record Checkpoints(int intervalSeconds, int retained) implements Serializable {
        /** A minute between checkpoints, the three latest kept (README: what they cost). */
        public static final Checkpoints DEFAULT = new Checkpoints(60, 3);
    }
    static final Set<String> DATA = Set.of("dataset", "topic");

    /** The demo's default: the same critic with weight clipping and with the gradient penalty, side by side. */
    public static String defaultYaml(String dataset) {
        return "data:\n  dataset: " + dataset + "\nexperiments:\n  - name: wgan-clip\n    constraint: clip\n  - name: wgan-gp\n    constraint: gp\n";
    }

    /** One sample's [channels, height, width]: 2-D points are [1, 1, 2], points on the line [1, 1, 1], images 28x28 grey. */
    public long[] dataShape() {
        return Datasets.dataShape(dataset);
    }

    public static RunConfig load(Path file) throws IOException {
        return parse(read(file));
    }

    /** A config file's text; a missing, unreadable or non-UTF-8 file is a one-line ConfigException naming it. */
    static String read(Path file) throws IOException {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("", "no config file " + file);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ConfigException("", "the config file " + file + " is not UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException("", "cannot read the config file " + file + (Files.isDirectory(file) ? ": it is a folder" : ": " + e.getMessage()));
        }
    }

    public static RunConfig parse(String yamlText) {
        Object root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            root = new Yaml(options).load(yamlText);
        } catch (MarkedYAMLException e) {
            var mark = e.getProblemMark();
            throw new ConfigException("", "malformed YAML at line " + (mark == null ? "?" : mark.getLine() + 1) + ": " + e.getProblem());
        } catch (YAMLException e) {
            throw new ConfigException("", "malformed YAML: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        } catch (RuntimeException e) { // SnakeYAML lets some constructor failures through bare: `!!float nan` is a NumberFormatException
            throw new ConfigException("", "malformed YAML: " + e.getClass().getSimpleName().replace("Exception", "").replaceAll("(?<=[a-z])(?=[A-Z])", " ").toLowerCase(Locale.ROOT)
                    + " (" + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ")");
        }
        if (root == null) throw new ConfigException("", "the config is empty");
        Node top = new Node("", root);
        Map<String, Object> m = top.map(TOP);
        Node dataNode = top.get(m, "data");
        if (dataNode == null) throw new ConfigException("data", "missing (data: {dataset: ...})");
        Map<String, Object> data = dataNode.map(DATA);
        Node ds = dataNode.get(data, "dataset");
        if (ds == null) throw new ConfigException("data.dataset", "missing");
        String dataset = ds.string();
        if (!List.of(Datasets.NAMES).contains(dataset))
            throw new ConfigException(ds.path, "unknown dataset '" + dataset + "' (one of " + String.join(", ", Datasets.NAMES) + ")");
        Node topicNode = dataNode.get(data, "topic");
        String topic = topicNode == null ? ImageBatchProducer.defaultTopic(dataset) : topicNode.string();
        boolean toy = Datasets.isToy(dataset);

        Node expNode = top.get(m, "experiments");
        if (expNode == null) throw new ConfigException("experiments", "missing (a list of at least one experiment)");
        List<ExperimentConfig> experiments = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<Sweep.Method> methods = new ArrayList<>();
        for (Node e : expNode.list()) {
            ExperimentConfig c = ExperimentKeys.read(e, toy);
            if (!names.add(c.name())) throw new ConfigException(e.path + ".name", "duplicate experiment name '" + c.name() + "'");
            experiments.add(c);
            methods.add(new Sweep.Method(e, c));
        }
        if (experiments.isEmpty()) throw new ConfigException("experiments", "needs at least one experiment");
        Sweep sweep = Sweep.NONE;
        Node sweepNode = top.get(m, "sweep");
        if (sweepNode != null) {
            Sweep.Expanded expanded = Sweep.expand(sweepNode, methods, toy);
            experiments = new ArrayList<>(expanded.experiments());
            sweep = expanded.sweep();
        }
        Checkpoints checkpoints = Checkpoints.DEFAULT;
        Node cpNode = top.get(m, "checkpoints");
        if (cpNode != null) {
            Map<String, Object> cp = cpNode.map(CHECKPOINTS);
            Node interval = cpNode.get(cp, "interval_seconds"), retained = cpNode.get(cp, "retained");
            checkpoints = new Checkpoints(interval == null ? checkpoints.intervalSeconds() : interval.integer(0, 86_400),
                    retained == null ? checkpoints.retained() : retained.integer(1, 1000));
        }
        TrainerSlots trainer = TrainerSlots.DEFAULT;
        Node trNode = top.get(m, "trainer");
        if (trNode != null) {
            Map<String, Object> tr = trNode.map(TRAINER);
            Node parallelism = trNode.get(tr, "parallelism"), threads = trNode.get(tr, "blas_threads");
            trainer = new TrainerSlots(parallelism == null ? trainer.parallelism() : parallelism.integer(0, TrainerSlots.MAX_PARALLELISM),
                    threads == null ? trainer.blasThreads() : threads.integer(1, TrainerSlots.MAX_BLAS_THREADS));
        }
        return new RunConfig(dataset, topic, List.copyOf(experiments), yamlText, checkpoints, trainer, sweep);
    }
}

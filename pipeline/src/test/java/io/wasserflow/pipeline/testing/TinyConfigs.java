package io.wasserflow.pipeline.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Small run configs for tests, as the YAML a user writes, built from named experiments:
 * {@code TinyConfigs.toy("train.images", clip(), gp().nCritic(1))} is
 *
 * <pre>
 * data: {dataset: 8gaussians, topic: train.images}
 * experiments:
 *   - {name: clip, constraint: clip, architecture: {mlp: {depth: 2, width: 16}}, batch_size: 64, n_critic: 2}
 *   - {name: gp, constraint: gp, architecture: {mlp: {depth: 2, width: 16}}, batch_size: 64, n_critic: 1}
 * </pre>
 */
public final class TinyConfigs {
    private TinyConfigs() {}

    /** The toy data most tests train on: eight Gaussians, float32 points of shape 1x1x2. */
    public static final String TOY = "8gaussians";

    /** These experiments on the toy data, read from topic (null: the dataset's default topic). */
    public static String toy(String topic, Experiment... experiments) {
        return config(TOY, topic, experiments);
    }

    /** These experiments on a dataset, read from topic (null: the dataset's default topic). */
    public static String config(String dataset, String topic, Experiment... experiments) {
        StringBuilder yaml = new StringBuilder("data: {dataset: " + dataset + (topic == null ? "" : ", topic: " + topic) + "}\nexperiments:\n");
        for (Experiment e : experiments) yaml.append("  - ").append(e.yaml()).append('\n');
        return yaml.toString();
    }

    /** Weight clipping at the default bound, on the small network. */
    public static Experiment clip() {
        return small("clip", "clip");
    }

    /** The gradient penalty at the default lambda, on the small network. */
    public static Experiment gp() {
        return small("gp", "gp");
    }

    /**
     * An experiment on a small critic and generator (MLPs of depth 2 and width 16), batch 64, two
     * critic steps per generator step: milliseconds a step, so a test trains dozens of steps in seconds.
     */
    public static Experiment small(String name, String constraint) {
        return new Experiment(Map.of()).set("name", name).set("constraint", constraint).mlp(2, 16).batchSize(64).nCritic(2);
    }

    /** One experiment of a config: its keys in the order written, each with its value as YAML. */
    public static final class Experiment {
        private final Map<String, String> keys;

        private Experiment(Map<String, String> keys) {
            this.keys = new LinkedHashMap<>(keys);
        }

        /** A copy with this key set to this YAML value (in its place if it was set before, else last). */
        public Experiment set(String key, String yaml) {
            Experiment e = new Experiment(keys);
            e.keys.put(key, yaml);
            return e;
        }

        public Experiment named(String name) {
            return set("name", name);
        }

        public Experiment mlp(int depth, int width) {
            return set("architecture", "{mlp: {depth: " + depth + ", width: " + width + "}}");
        }

        /** Wide enough (depth 3, width 256, batch 100) that a few hundred records take tens of seconds on two cores. */
        public Experiment wide() {
            return mlp(3, 256).batchSize(100);
        }

        public Experiment batchSize(int n) {
            return set("batch_size", String.valueOf(n));
        }

        public Experiment nCritic(int n) {
            return set("n_critic", String.valueOf(n));
        }

        /** E.g. "{gp: {lambda: 0.1}}". */
        public Experiment constraint(String yaml) {
            return set("constraint", yaml);
        }

        /** E.g. "{sgd: {lr: 10}}". */
        public Experiment optimizer(String yaml) {
            return set("optimizer", yaml);
        }

        /** E.g. "{samples_every: 2}". */
        public Experiment publish(String yaml) {
            return set("publish", yaml);
        }

        /** The experiment as a flow mapping: "{name: gp, constraint: gp, ...}". */
        public String yaml() {
            return keys.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining(", ", "{", "}"));
        }

        @Override
        public String toString() {
            return yaml();
        }
    }
}

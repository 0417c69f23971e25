package io.wasserflow.pipeline.config;

import io.wasserflow.models.lipschitz.Constraint;
import io.wasserflow.models.nets.Architecture;
import io.wasserflow.models.nets.Init;
import io.wasserflow.models.optim.OptimizerConfig;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Loss;
import io.wasserflow.pipeline.source.Datasets;
import io.wasserflow.pipeline.source.ImageBatchProducer;
import java.io.IOException;
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
 * anything starts. Unset keys take the reference defaults for the kind of data.
 */
public record RunConfig(String dataset, String topic, List<ExperimentConfig> experiments, String yaml) {

    static final Set<String> TOP = Set.of("data", "experiments");
    static final Set<String> DATA = Set.of("dataset", "topic");
    static final Set<String> EXPERIMENT = Set.of("name", "architecture", "loss", "constraint", "init", "optimizer", "n_critic",
            "warmup", "batch_size", "z_dim", "seed", "publish", "alerts", "critic_norm", "generator_norm", "precision");
    static final Set<String> PUBLISH = Set.of("norms_every", "histograms_every", "samples_every", "histogram_range", "histogram_buckets");
    static final Set<String> ALERTS = Set.of("vanishing_below", "exploding_above");

    /** The demo's default: the same critic with weight clipping and with the gradient penalty, side by side. */
    public static String defaultYaml(String dataset) {
        return "data:\n  dataset: " + dataset + "\nexperiments:\n  - name: wgan-clip\n    constraint: clip\n  - name: wgan-gp\n    constraint: gp\n";
    }

    /** One sample's [channels, height, width]: 2-D points are [1, 1, 2], images 28x28 grey. */
    public long[] dataShape() {
        return Datasets.isToy(dataset) ? new long[] {1, 1, 2} : new long[] {1, 28, 28};
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
        for (Node e : expNode.list()) {
            ExperimentConfig c = experiment(e, toy);
            if (!names.add(c.name())) throw new ConfigException(e.path + ".name", "duplicate experiment name '" + c.name() + "'");
            experiments.add(c);
        }
        if (experiments.isEmpty()) throw new ConfigException("experiments", "needs at least one experiment");
        return new RunConfig(dataset, topic, List.copyOf(experiments), yamlText);
    }

    static ExperimentConfig experiment(Node node, boolean toy) {
        Map<String, Object> m = node.map(EXPERIMENT);
        Node nameNode = node.get(m, "name");
        if (nameNode == null) throw new ConfigException(node.path + ".name", "missing");
        String name = nameNode.string();
        if (!name.matches("[A-Za-z0-9_.-]+")) throw new ConfigException(nameNode.path, "'" + name + "' may hold only letters, digits, '.', '_' and '-'");

        Loss loss = Loss.WGAN;
        Node lossNode = node.get(m, "loss");
        if (lossNode != null) {
            loss = Loss.byId(lossNode.string());
            if (loss == null) throw new ConfigException(lossNode.path, "unknown loss '" + lossNode.value + "' (wgan, gan or gan-minimax)");
        }
        Node cNode = node.get(m, "constraint");
        Map.Entry<String, Node> constraint = cNode == null ? Map.entry(loss.isWasserstein() ? "gp" : "none", new Node("constraint", Map.of()))
                : cNode.choice(Set.of("clip", "gp", "lp", "none"));
        ExperimentConfig.Builder c = ExperimentConfig.builder(name, toy, loss, constraint.getKey());

        // the constraint's own parameter
        Node cp = constraint.getValue();
        switch (constraint.getKey()) {
            case "clip" -> {
                Map<String, Object> p = cp.map(Set.of("c"));
                if (cp.get(p, "c") != null) c.constraint(new Constraint.Clip(cp.get(p, "c").number(1e-12, 1e3)));
            }
            case "gp", "lp" -> {
                Map<String, Object> p = cp.map(Set.of("lambda"));
                Node l = cp.get(p, "lambda");
                if (l != null) {
                    double lambda = l.number(0, 1e6);
                    c.constraint(constraint.getKey().equals("gp") ? new Constraint.GradientPenalty(lambda) : new Constraint.OneSidedPenalty(lambda));
                }
            }
            default -> cp.map(Set.of());
        }

        Node arch = node.get(m, "architecture");
        if (arch != null) {
            Map.Entry<String, Node> a = arch.choice(Set.of("mlp", "dcgan"));
            Node an = a.getValue();
            if (a.getKey().equals("mlp")) {
                Map<String, Object> p = an.map(Set.of("depth", "width"));
                int depth = an.get(p, "depth") == null ? 3 : an.get(p, "depth").integer(0, 64);
                int width = an.get(p, "width") == null ? 512 : an.get(p, "width").integer(1, 1 << 16);
                c.architecture(Architecture.mlp(depth, width));
            } else {
                if (toy) throw new ConfigException(arch.path, "dcgan needs 28x28 images; the dataset is 2-D points (use mlp)");
                Map<String, Object> p = an.map(Set.of("base_channels"));
                c.architecture(Architecture.dcgan(an.get(p, "base_channels") == null ? 64 : an.get(p, "base_channels").integer(1, 1024)));
            }
        }
        Architecture.Norm criticNorm = norm(node, m, "critic_norm", Set.of("none", "layernorm"));
        Architecture.Norm generatorNorm = norm(node, m, "generator_norm", Set.of("none", "batchnorm"));
        c.criticNorm(criticNorm).generatorNorm(generatorNorm);

        Node init = node.get(m, "init");
        if (init != null) {
            String v = init.string();
            if (!Set.of("he", "glorot", "pytorch").contains(v)) throw new ConfigException(init.path, "unknown init '" + v + "' (he, glorot or pytorch)");
            c.init(Init.valueOf(v.toUpperCase(Locale.ROOT)));
        }
        Node opt = node.get(m, "optimizer");
        if (opt != null) c.optimizer(optimizer(opt, c.optimizer()));

        if (node.get(m, "n_critic") != null) c.nCritic(node.get(m, "n_critic").integer(1, 10_000));
        c.warmup(node.get(m, "warmup") != null && node.get(m, "warmup").bool());
        if (node.get(m, "batch_size") != null) c.batchSize(node.get(m, "batch_size").integer(1, 1 << 16));
        if (node.get(m, "z_dim") != null) c.zDim(node.get(m, "z_dim").integer(1, 1 << 14));
        if (node.get(m, "seed") != null) c.seed(node.get(m, "seed").longValue());
        Node precision = node.get(m, "precision");
        if (precision != null) {
            String p = precision.string();
            if (!p.equals("float32") && !p.equals("float64")) throw new ConfigException(precision.path, "unknown precision '" + p + "' (float32 or float64)");
            c.dtype(p.equals("float32") ? org.nd4j.linalg.api.buffer.DataType.FLOAT : org.nd4j.linalg.api.buffer.DataType.DOUBLE);
        }

        Node pub = node.get(m, "publish");
        if (pub != null) {
            Map<String, Object> p = pub.map(PUBLISH);
            if (pub.get(p, "norms_every") != null) c.normsEvery(pub.get(p, "norms_every").integer(0, 1 << 30));
            if (pub.get(p, "histograms_every") != null) c.histogramsEvery(pub.get(p, "histograms_every").integer(0, 1 << 30));
            if (pub.get(p, "samples_every") != null) c.samplesEvery(pub.get(p, "samples_every").integer(0, 1 << 30));
            if (pub.get(p, "histogram_range") != null) c.histogramRange(pub.get(p, "histogram_range").number(1e-12, 1e6));
            if (pub.get(p, "histogram_buckets") != null) c.histogramBuckets(pub.get(p, "histogram_buckets").integer(2, 1000));
        }
        Node al = node.get(m, "alerts");
        if (al != null) {
            Map<String, Object> p = al.map(ALERTS);
            if (al.get(p, "vanishing_below") != null) c.vanishingBelow(al.get(p, "vanishing_below").number(0, 1e300));
            if (al.get(p, "exploding_above") != null) c.explodingAbove(al.get(p, "exploding_above").number(0, 1e300));
        }
        return c.build();
    }

    private static Architecture.Norm norm(Node node, Map<String, Object> m, String key, Set<String> allowed) {
        Node n = node.get(m, key);
        if (n == null) return Architecture.Norm.NONE;
        String v = n.string();
        if (!allowed.contains(v)) throw new ConfigException(n.path, "unknown value '" + v + "' (one of " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
        return Architecture.Norm.valueOf(v.toUpperCase(Locale.ROOT));
    }

    private static OptimizerConfig optimizer(Node node, OptimizerConfig fallback) {
        Map.Entry<String, Node> o = node.choice(Set.of("adam", "rmsprop", "sgd"));
        Node on = o.getValue();
        Map<String, Object> p = on.map(o.getKey().equals("adam") ? Set.of("lr", "betas") : Set.of("lr"));
        double lr = on.get(p, "lr") == null ? fallback.lr() : on.get(p, "lr").number(0, 10);
        return switch (o.getKey()) {
            case "adam" -> {
                double b1 = 0.5, b2 = 0.9;
                if (fallback.kind() == OptimizerConfig.Kind.ADAM) { b1 = fallback.beta1(); b2 = fallback.beta2(); }
                Node betas = on.get(p, "betas");
                if (betas != null) {
                    List<Node> bs = betas.list();
                    if (bs.size() != 2) throw new ConfigException(betas.path, "expected two betas, [beta1, beta2]");
                    b1 = bs.get(0).number(0, 0.999999);
                    b2 = bs.get(1).number(0, 0.999999);
                }
                yield OptimizerConfig.adam(lr, b1, b2);
            }
            case "rmsprop" -> OptimizerConfig.rmsprop(lr);
            default -> OptimizerConfig.sgd(lr);
        };
    }
}

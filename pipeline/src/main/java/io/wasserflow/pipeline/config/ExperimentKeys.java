package io.wasserflow.pipeline.config;

import static io.wasserflow.models.nets.Architecture.Norm.BATCHNORM;
import static io.wasserflow.models.nets.Architecture.Norm.LAYERNORM;
import static io.wasserflow.models.nets.Architecture.Norm.NONE;
import static io.wasserflow.models.optim.OptimizerConfig.Kind.ADAM;
import static io.wasserflow.models.optim.OptimizerConfig.Kind.RMSPROP;
import static io.wasserflow.models.optim.OptimizerConfig.Kind.SGD;
import static java.util.Map.entry;

import io.wasserflow.models.data.Gaussian1D;
import io.wasserflow.models.lipschitz.Constraint;
import io.wasserflow.models.nets.Architecture;
import io.wasserflow.models.nets.Init;
import io.wasserflow.models.optim.OptimizerConfig;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.ExperimentConfig.Builder;
import io.wasserflow.models.train.ExperimentConfig.FixedGaussian;
import io.wasserflow.models.train.Loss;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * An experiment's YAML keys (SPEC §4), each declared once, in {@link #KEYS}: its path, how its value
 * is read and checked (type and range; a refusal names the path), and what it sets in the builder.
 * A key that is absent keeps the builder's default: SPEC §4's table, stated once, in
 * {@link ExperimentConfig#builder}, which name, loss and constraint pick. A {@code oneOf} is
 * written as a bare name or a one-key mapping ({@code constraint: gp}, {@code constraint: {gp: {lambda: 10}}}),
 * the keys below one of its names are that name's parameters; other dotted paths are plain mappings.
 * Keys are read in the table's order.
 */
final class ExperimentKeys {
    private ExperimentKeys() {}

    private static final Map<String, Loss> LOSSES = byId(Loss.values(), l -> l.id);
    private static final Map<String, Init> INITS = byId(Init.values(), i -> i.name().toLowerCase(Locale.ROOT));
    private static final Map<String, Architecture.Norm> CRITIC_NORMS = names(entry("none", NONE), entry("layernorm", LAYERNORM));
    private static final Map<String, Architecture.Norm> GENERATOR_NORMS = names(entry("none", NONE), entry("batchnorm", BATCHNORM));
    private static final Map<String, ExperimentConfig.Model> MODELS = byId(ExperimentConfig.Model.values(), m -> m.id);
    private static final Map<String, ExperimentConfig.Layers> LAYERS = names(entry("all", ExperimentConfig.Layers.ALL),
            entry("ends", ExperimentConfig.Layers.ENDS), entry("none", ExperimentConfig.Layers.NONE));
    private static final Map<String, DataType> PRECISIONS = names(entry("float32", DataType.FLOAT), entry("float64", DataType.DOUBLE));

    /** The WGAN paper's MLP generator (section 4.3): 4 hidden ReLU layers of 512 units. */
    static final int GENERATOR_MLP_DEPTH = 4, GENERATOR_MLP_WIDTH = 512;

    static final Key<String> NAME = key("name", ExperimentKeys::name, Builder::name);
    static final Key<Loss> LOSS = key("loss", n -> n.named("loss", LOSSES), Builder::loss);
    static final OneOf CONSTRAINT = oneOf("constraint", choice("clip"), choice("gp"), choice("lp"), choice("sn"), choice("none"));

    static final List<Row> KEYS = List.of(
            // path                                 type and range                             sets
            NAME,
            key("model",                            n -> n.named("model", MODELS),             Builder::model),
            LOSS,
            CONSTRAINT, // with the loss, picks the builder's defaults
            key("constraint.clip.c",                n -> n.number(1e-12, 1e3),                 (b, c) -> b.constraint(new Constraint.Clip(c))),
            key("constraint.gp.lambda",             n -> n.number(0, 1e6),                     (b, l) -> b.constraint(new Constraint.GradientPenalty(l))),
            key("constraint.lp.lambda",             n -> n.number(0, 1e6),                     (b, l) -> b.constraint(new Constraint.OneSidedPenalty(l))),
            key("constraint.sn.power_iterations",   n -> n.integer(1, 100),                    (b, k) -> b.constraint(new Constraint.SpectralNorm(k))),
            oneOf("architecture",
                    choice("mlp", b -> b.architecture(ExperimentConfig.defaultArchitecture(Architecture.Kind.MLP))),
                    choice("dcgan", b -> b.architecture(ExperimentConfig.defaultArchitecture(Architecture.Kind.DCGAN)))
                            .imagesOnly("dcgan needs 28x28 images; the dataset is 2-D points (use mlp)")),
            key("architecture.mlp.depth",           n -> n.integer(0, 64),                     (b, d) -> b.architecture(Architecture.mlp(d, b.architecture().width()))),
            key("architecture.mlp.width",           n -> n.integer(1, 1 << 16),                (b, w) -> b.architecture(Architecture.mlp(b.architecture().depth(), w))),
            key("architecture.dcgan.base_channels", n -> n.integer(1, 1024),                   (b, c) -> b.architecture(Architecture.dcgan(c))),
            oneOf("generator_architecture",
                    choice("same", b -> b.generatorArchitecture(null)),
                    choice("mlp", b -> b.generatorArchitecture(Architecture.mlp(GENERATOR_MLP_DEPTH, GENERATOR_MLP_WIDTH)))),
            key("generator_architecture.mlp.depth", n -> n.integer(0, 64),                     (b, d) -> b.generatorArchitecture(Architecture.mlp(d, b.architecture().generatorShape().width()))),
            key("generator_architecture.mlp.width", n -> n.integer(1, 1 << 16),                (b, w) -> b.generatorArchitecture(Architecture.mlp(b.architecture().generatorShape().depth(), w))),
            key("critic_norm",                      n -> n.oneOf(CRITIC_NORMS),                Builder::criticNorm),
            key("generator_norm",                   n -> n.oneOf(GENERATOR_NORMS),             Builder::generatorNorm),
            key("init",                             n -> n.named("init", INITS),               Builder::init),
            oneOf("optimizer", choice("adam", optimizer(ADAM)), choice("rmsprop", optimizer(RMSPROP)), choice("sgd", optimizer(SGD))),
            key("optimizer.adam.lr",                n -> n.number(0, 10),                      ExperimentKeys::lr),
            key("optimizer.adam.betas",             ExperimentKeys::betas,                     (b, bs) -> b.optimizer(OptimizerConfig.adam(b.optimizer().lr(), bs[0], bs[1]))),
            key("optimizer.rmsprop.lr",             n -> n.number(0, 10),                      ExperimentKeys::lr),
            key("optimizer.sgd.lr",                 n -> n.number(0, 10),                      ExperimentKeys::lr),
            // the WGAN paper's Figure 2: fakes from a fixed Gaussian, no generator step (defaults: Gaussian1D's fake, N(-2, 0.5))
            oneOf("generator", choice("trained", b -> b.fixedGenerator(null)),
                    choice("fixed_gaussian", b -> b.fixedGenerator(new FixedGaussian(Gaussian1D.FAKE_MEAN, Gaussian1D.STD)))),
            key("generator.fixed_gaussian.mean",    n -> n.number(-1e6, 1e6),                  (b, m) -> b.fixedGenerator(new FixedGaussian(m, b.fixedGenerator().std()))),
            key("generator.fixed_gaussian.std",     n -> n.number(1e-12, 1e6),                 (b, sd) -> b.fixedGenerator(new FixedGaussian(b.fixedGenerator().mean(), sd))),
            key("n_critic",                         n -> n.integer(1, 10_000),                 Builder::nCritic),
            key("warmup",                           Node::bool,                                Builder::warmup),
            key("batch_size",                       n -> n.integer(1, 1 << 16),                Builder::batchSize),
            key("z_dim",                            n -> n.integer(1, 1 << 14),                Builder::zDim),
            key("seed",                             Node::longValue,                           Builder::seed),
            key("precision",                        n -> n.named("precision", PRECISIONS),     Builder::dtype),
            key("publish.norms_every",              n -> n.integer(0, 1 << 30),                Builder::normsEvery),
            key("publish.histograms_every",         n -> n.integer(0, 1 << 30),                Builder::histogramsEvery),
            key("publish.samples_every",            n -> n.integer(0, 1 << 30),                Builder::samplesEvery),
            key("publish.histogram_range",          n -> n.number(1e-12, 1e6),                 Builder::histogramRange),
            key("publish.histogram_buckets",        n -> n.integer(2, 1000),                   Builder::histogramBuckets),
            key("publish.layers",                   n -> n.oneOf(LAYERS),                      Builder::publishedLayers), // all, ends, none: a sweep's series budget
            key("alerts.vanishing_below",           n -> n.number(0, 1e300),                   Builder::vanishingBelow),
            key("alerts.exploding_above",           n -> n.number(0, 1e300),                   Builder::explodingAbove));

    /** One experiment: the keys that pick the defaults first, then every key, in the table's order, into the builder. */
    static ExperimentConfig read(Node node, boolean toy) {
        Map<String, Object> m = node.map(TREE.entries.keySet());
        Node nameNode = node.get(m, NAME.path), lossNode = node.get(m, LOSS.path), constraintNode = node.get(m, CONSTRAINT.path);
        if (nameNode == null) throw new ConfigException(node.path + "." + NAME.path, "missing");
        String name = NAME.read.apply(nameNode);
        Loss loss = lossNode == null ? Loss.WGAN : LOSS.read.apply(lossNode);
        String constraint = constraintNode == null ? (loss.isWasserstein() ? "gp" : "none") : constraintNode.choice(CONSTRAINT.choices.keySet()).getKey();
        Builder b = ExperimentConfig.builder(name, toy, loss, constraint);
        TREE.read(node, m, b, toy);
        ExperimentConfig c = b.build();
        if (c.bigan() && c.loss() == Loss.GAN_MINIMAX) throw new ConfigException(node.path + ".loss", "model bigan trains with loss wgan or gan, not gan-minimax");
        if (c.bigan() && !c.trainsGenerator()) throw new ConfigException(node.path + ".generator", "model bigan trains its generator with its encoder: it cannot be fixed");
        return c;
    }

    /** The value key at {@code path} (a sweep checks its values as the key itself does). */
    static Key<?> key(String path) {
        for (Row r : KEYS) if (r instanceof Key<?> k && k.path().equals(path)) return k;
        throw new IllegalArgumentException("no experiment key " + path);
    }

    /** Names and what they stand for, in the order a message lists them. */
    @SafeVarargs
    private static <T> Map<String, T> names(Map.Entry<String, T>... names) {
        Map<String, T> m = new LinkedHashMap<>();
        for (Map.Entry<String, T> e : names) m.put(e.getKey(), e.getValue());
        return m;
    }

    private static <T> Map<String, T> byId(T[] values, Function<T, String> id) {
        Map<String, T> m = new LinkedHashMap<>();
        for (T v : values) m.put(id.apply(v), v);
        return m;
    }

    private static String name(Node n) {
        String name = n.string();
        if (!name.matches("[A-Za-z0-9_.-]+")) throw new ConfigException(n.path, "'" + name + "' may hold only letters, digits, '.', '_' and '-'");
        return name;
    }

    /** Naming an optimizer: its parameters' defaults from the optimizer it replaces (ExperimentConfig.namedOptimizer). */
    private static Consumer<Builder> optimizer(OptimizerConfig.Kind kind) {
        return b -> b.optimizer(ExperimentConfig.namedOptimizer(kind, b.optimizer()));
    }

    private static void lr(Builder b, double lr) {
        OptimizerConfig o = b.optimizer();
        b.optimizer(new OptimizerConfig(o.kind(), lr, o.beta1(), o.beta2()));
    }

    private static double[] betas(Node n) {
        List<Node> bs = n.list();
        if (bs.size() != 2) throw new ConfigException(n.path, "expected two betas, [beta1, beta2]");
        return new double[] {bs.get(0).number(0, 0.999999), bs.get(1).number(0, 0.999999)};
    }

    /** A line of the table. */
    sealed interface Row permits Key, OneOf {
        String path();
    }

    /** A value: read and checked from its node, then set in the builder. */
    record Key<T>(String path, Function<Node, T> read, BiConsumer<Builder, T> set) implements Row {
        void apply(Node n, Builder b) {
            set.accept(b, read.apply(n));
        }
    }

    /** One of some names, each with what choosing it sets (its parameters' defaults) and whether 2-D points refuse it. */
    record OneOf(String path, Map<String, Choice> choices) implements Row {}

    record Choice(String name, Consumer<Builder> set, String refusedOnToyData) {
        Choice imagesOnly(String why) {
            return new Choice(name, set, why);
        }
    }

    static <T> Key<T> key(String path, Function<Node, T> read, BiConsumer<Builder, T> set) {
        return new Key<>(path, read, set);
    }

    static OneOf oneOf(String path, Choice... choices) {
        Map<String, Choice> m = new LinkedHashMap<>();
        for (Choice c : choices) m.put(c.name(), c);
        return new OneOf(path, m);
    }

    static Choice choice(String name) {
        return choice(name, b -> {}); // set by the defaults it picks
    }

    static Choice choice(String name, Consumer<Builder> set) {
        return new Choice(name, set, null);
    }

    /** The table as the YAML nests it: a mapping's keys, each a Key, a Mapping or a Chosen. */
    private record Mapping(Map<String, Object> entries) {
        Mapping() {
            this(new LinkedHashMap<>());
        }

        void read(Node node, Map<String, Object> m, Builder b, boolean toy) {
            for (Map.Entry<String, Object> e : entries.entrySet()) {
                Node n = node.get(m, e.getKey());
                if (n == null) continue; // the builder's default
                if (e.getValue() instanceof Key<?> k) k.apply(n, b);
                else if (e.getValue() instanceof Mapping sub) sub.read(n, n.map(sub.entries.keySet()), b, toy);
                else {
                    Chosen c = (Chosen) e.getValue();
                    Map.Entry<String, Node> picked = n.choice(c.row.choices.keySet());
                    Choice choice = c.row.choices.get(picked.getKey());
                    if (toy && choice.refusedOnToyData() != null) throw new ConfigException(n.path, choice.refusedOnToyData());
                    choice.set().accept(b);
                    Mapping params = c.params.get(picked.getKey());
                    Node p = picked.getValue();
                    params.read(p, p.map(params.entries.keySet()), b, toy);
                }
            }
        }
    }

    /** A OneOf in the tree, with each name's parameters. */
    private record Chosen(OneOf row, Map<String, Mapping> params) {}

    private static final Mapping TREE = tree(KEYS);

    private static Mapping tree(List<Row> rows) {
        Mapping root = new Mapping();
        for (Row row : rows) {
            String[] parts = row.path().split("\\.");
            Mapping at = root;
            for (int i = 0; i < parts.length - 1; i++) {
                Object next = at.entries.computeIfAbsent(parts[i], k -> new Mapping());
                if (next instanceof Chosen c) {
                    at = c.params.get(parts[++i]);
                    if (at == null) throw new IllegalStateException(row.path() + ": " + parts[i] + " is not one of " + c.row.choices.keySet());
                } else at = (Mapping) next;
            }
            Object entry;
            if (row instanceof OneOf o) {
                Map<String, Mapping> params = new LinkedHashMap<>();
                for (String name : o.choices.keySet()) params.put(name, new Mapping());
                entry = new Chosen(o, params);
            } else entry = row;
            if (at.entries.putIfAbsent(parts[parts.length - 1], entry) != null) throw new IllegalStateException(row.path() + " is declared twice");
        }
        return root;
    }
}

package io.wasserflow.pipeline.config;

import io.wasserflow.models.lipschitz.Constraint;
import io.wasserflow.models.nets.Architecture;
import io.wasserflow.models.optim.OptimizerConfig;
import io.wasserflow.models.train.ExperimentConfig;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * A run's {@code sweep:} section (SPEC §4): experiment keys, each with a list of values (a grid) or
 * a seeded random draw, crossed with the listed experiments, which then serve as the methods. Grids
 * multiply; the random keys are drawn together, {@code draws} settings from {@code draw_seed}, and
 * every method gets the same draws, so the methods are compared on equal settings (the WGAN-GP
 * paper's robustness study, section 5.1). A key a method has no use for (clipping's c for the
 * penalty) is left out of that method's settings. The expansion is deterministic: the same text
 * gives the same experiments, in the same order, with the same names.
 *
 * <pre>
 * sweep:
 *   draws: 24                                    # random settings, shared by every method
 *   draw_seed: 1
 *   lr: {random: {low: 1e-5, high: 1e-3}}        # log-uniform (rates and scales are drawn on a log scale by default)
 *   n_critic: {random: [1, 2, 5, 10]}            # one of these choices
 *   seed: [1, 2]                                 # a grid: every setting with each seed
 * </pre>
 *
 * @param members every expanded experiment, in the run's order
 * @param methods the listed experiments' names, in their order
 */
public record Sweep(List<Member> members, List<String> methods) implements Serializable {

    /** The most experiments one run may expand to: one MiniCluster or a modest cluster trains them all at once. */
    public static final int MAX_EXPERIMENTS = 256;

    /** Significant digits a drawn real number keeps, so that the name and the setting label show the value trained. */
    static final int DRAWN_DIGITS = 3;

    /** No sweep: the listed experiments are the run. */
    public static final Sweep NONE = new Sweep(List.of(), List.of());

    /** One expanded experiment: its name, the method (listed experiment) it came from, and the values that set it apart. */
    public record Member(String experiment, String method, List<Value> setting) implements Serializable {
        /** The setting as one label, {@code lr=1.2e-4 n_critic=5}; empty for a method swept by nothing it uses. */
        public String label() {
            StringBuilder b = new StringBuilder();
            for (Value v : setting) b.append(b.length() == 0 ? "" : " ").append(v.key()).append('=').append(v.text());
            return b.toString();
        }
    }

    /** One swept key's value, as written in names and labels. */
    public record Value(String key, String text) implements Serializable {}

    public boolean isEmpty() {
        return members.isEmpty();
    }

    /** The member named {@code experiment}, or null. */
    public Member member(String experiment) {
        for (Member m : members) if (m.experiment().equals(experiment)) return m;
        return null;
    }

    /** How a swept value is read: a real number, a whole number, a name, or Adam's two betas. */
    enum Type { REAL, WHOLE, NAME, BETAS }

    /**
     * A key the sweep may vary: its name in {@code sweep:}, the short tag in experiment names, its type,
     * whether a range is drawn on a log scale unless said otherwise, the experiment key whose check it
     * passes, and where it goes in a method (null where the method has no such key).
     */
    record Alias(String key, String tag, Type type, boolean log, String checkedAs, String needs, Function<ExperimentConfig, String> path) {}

    private static Alias alias(String key, String tag, Type type, boolean log, String checkedAs, String needs, Function<ExperimentConfig, String> path) {
        return new Alias(key, tag, type, log, checkedAs, needs, path);
    }

    private static Function<ExperimentConfig, String> always(String path) {
        return c -> path;
    }

    static final Map<String, Alias> ALIASES = byKey(
            alias("lr", "lr", Type.REAL, true, "optimizer.adam.lr", null,
                    c -> "optimizer." + c.optimizer().kind().name().toLowerCase(Locale.ROOT) + ".lr"),
            alias("betas", "betas", Type.BETAS, false, "optimizer.adam.betas", "optimizer adam",
                    c -> c.optimizer().kind() == OptimizerConfig.Kind.ADAM ? "optimizer.adam.betas" : null),
            alias("n_critic", "ncritic", Type.WHOLE, false, "n_critic", null, always("n_critic")),
            alias("c", "c", Type.REAL, true, "constraint.clip.c", "constraint clip",
                    c -> c.constraint() instanceof Constraint.Clip ? "constraint.clip.c" : null),
            alias("lambda", "lambda", Type.REAL, true, "constraint.gp.lambda", "constraint gp or lp",
                    c -> c.constraint() instanceof Constraint.GradientPenalty ? "constraint.gp.lambda"
                            : c.constraint() instanceof Constraint.OneSidedPenalty ? "constraint.lp.lambda" : null),
            alias("depth", "depth", Type.WHOLE, false, "architecture.mlp.depth", "architecture mlp",
                    c -> c.architecture().kind() == Architecture.Kind.MLP ? "architecture.mlp.depth" : null),
            alias("width", "width", Type.WHOLE, false, "architecture.mlp.width", "architecture mlp",
                    c -> c.architecture().kind() == Architecture.Kind.MLP ? "architecture.mlp.width" : null),
            alias("base_channels", "base", Type.WHOLE, false, "architecture.dcgan.base_channels", "architecture dcgan",
                    c -> c.architecture().kind() == Architecture.Kind.DCGAN ? "architecture.dcgan.base_channels" : null),
            alias("init", "init", Type.NAME, false, "init", null, always("init")),
            alias("generator_norm", "gnorm", Type.NAME, false, "generator_norm", null, always("generator_norm")),
            alias("critic_norm", "cnorm", Type.NAME, false, "critic_norm", null, always("critic_norm")),
            alias("z_dim", "z", Type.WHOLE, false, "z_dim", null, always("z_dim")),
            alias("batch_size", "batch", Type.WHOLE, false, "batch_size", null, always("batch_size")),
            alias("seed", "seed", Type.WHOLE, false, "seed", null, always("seed")));

    /** The sweep's own keys beside the aliases. */
    static final String DRAWS = "draws", DRAW_SEED = "draw_seed";
    static final Set<String> RANDOM = Set.of("low", "high", "log", "choices", "count");

    private static Map<String, Alias> byKey(Alias... aliases) {
        Map<String, Alias> m = new LinkedHashMap<>();
        for (Alias a : aliases) m.put(a.key(), a);
        return m;
    }

    static Set<String> allowedKeys() {
        Set<String> s = new LinkedHashSet<>(ALIASES.keySet());
        s.add(DRAWS);
        s.add(DRAW_SEED);
        return s;
    }

    /** A method as listed: its node (for its own keys) and what it reads as on its own. */
    record Method(Node node, ExperimentConfig config) {}

    /** The experiments of a run with a sweep: the methods crossed with the settings, each read as any experiment is. */
    record Expanded(List<ExperimentConfig> experiments, Sweep sweep) {}

    /** A random key: choices, or a range (whole numbers inclusive, reals rounded to {@link #DRAWN_DIGITS} digits). */
    private record Draw(List<Object> choices, double low, double high, boolean log) {}

    static Expanded expand(Node sweepNode, List<Method> methods, boolean toy) {
        Map<String, Object> m = sweepNode.map(allowedKeys());
        Map<Alias, List<Object>> grid = new LinkedHashMap<>();
        Map<Alias, Draw> random = new LinkedHashMap<>();
        Integer counted = null; // a random key's own count, where given
        String countedAt = null;
        for (String key : m.keySet()) {
            Alias a = ALIASES.get(key);
            if (a == null) continue;
            Node n = sweepNode.get(m, key);
            if (n.value instanceof List<?>) {
                List<Object> values = new ArrayList<>();
                for (Node v : n.list()) values.add(canonical(a, v));
                if (values.isEmpty()) throw new ConfigException(n.path, "needs at least one value");
                grid.put(a, values);
            } else if (n.value instanceof Map<?, ?>) {
                Node r = n.get(n.map(Set.of("random")), "random");
                if (r == null) throw new ConfigException(n.path, "expected a list of values (a grid) or {random: ...}");
                Draw d = draw(a, r);
                random.put(a, d);
                Node count = r.value instanceof Map<?, ?> ? r.get(r.map(RANDOM), "count") : null;
                if (count != null) {
                    int c = count.integer(1, MAX_EXPERIMENTS);
                    if (counted != null && c != counted)
                        throw new ConfigException(count.path, c + " differs from " + countedAt + "'s " + counted + " (the random keys are drawn together)");
                    counted = c;
                    countedAt = count.path;
                }
            } else throw new ConfigException(n.path, "expected a list of values (a grid) or {random: ...}, got " + Node.describe(n.value));
            if (methods.stream().noneMatch(method -> a.path().apply(method.config()) != null))
                throw new ConfigException(n.path, "no experiment has it (" + key + " needs " + a.needs() + ")");
        }
        if (grid.isEmpty() && random.isEmpty())
            throw new ConfigException(sweepNode.path, "needs at least one key to vary (" + String.join(", ", ALIASES.keySet()) + ")");
        Node drawsNode = sweepNode.get(m, DRAWS), seedNode = sweepNode.get(m, DRAW_SEED);
        int draws = 0;
        if (drawsNode != null) {
            draws = drawsNode.integer(1, MAX_EXPERIMENTS);
            if (random.isEmpty()) throw new ConfigException(drawsNode.path, "no key is drawn at random ({random: ...})");
            if (counted != null && counted != draws)
                throw new ConfigException(countedAt, counted + " differs from sweep.draws, " + draws);
        } else if (!random.isEmpty()) {
            if (counted == null) throw new ConfigException(sweepNode.path + "." + DRAWS, "missing: how many random settings to draw");
            draws = counted;
        }
        long drawSeed = seedNode == null ? 1 : seedNode.longValue();

        // the count first, so a sweep too big is refused before anything is built
        long total = 0;
        List<String> perMethod = new ArrayList<>();
        for (Method method : methods) {
            long n = Math.max(1, draws);
            for (Map.Entry<Alias, List<Object>> g : grid.entrySet())
                if (g.getKey().path().apply(method.config()) != null) n = Math.min(Long.MAX_VALUE / 2, n * g.getValue().size());
            total = Math.min(Long.MAX_VALUE / 2, total + n);
            perMethod.add(method.config().name() + " " + n);
        }
        if (total > MAX_EXPERIMENTS)
            throw new ConfigException(sweepNode.path, String.format(Locale.ROOT, "expands to %,d experiments (%s), more than the %d a run may hold",
                    total, String.join(", ", perMethod), MAX_EXPERIMENTS));

        // the draws, shared by every method: draw i's values are the same whichever method uses them
        List<Map<Alias, Object>> drawn = new ArrayList<>();
        SplittableRandom rng = new SplittableRandom(drawSeed);
        for (int i = 0; i < draws; i++) {
            Map<Alias, Object> values = new LinkedHashMap<>();
            for (Map.Entry<Alias, Draw> r : random.entrySet()) {
                Alias a = r.getKey();
                Object v = sample(a, r.getValue(), rng);
                check(a, new Node(sweepNode.path + "." + a.key() + " (draw " + i + ")", v));
                values.put(a, v);
            }
            drawn.add(values);
        }

        List<ExperimentConfig> experiments = new ArrayList<>();
        List<Member> members = new ArrayList<>();
        List<String> methodNames = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int index = 0;
        String pad = "%0" + String.valueOf(Math.max(1, draws - 1)).length() + "d";
        for (Method method : methods) {
            methodNames.add(method.config().name());
            List<Alias> used = new ArrayList<>();
            for (Alias a : grid.keySet()) if (a.path().apply(method.config()) != null) used.add(a);
            for (List<Object> combo : cross(used, grid)) {
                for (int d = 0; d < Math.max(1, draws); d++) {
                    Map<Alias, Object> setting = new LinkedHashMap<>();
                    StringBuilder name = new StringBuilder(method.config().name());
                    for (int k = 0; k < used.size(); k++) {
                        setting.put(used.get(k), combo.get(k));
                        name.append('-').append(used.get(k).tag()).append(used.get(k).type() == Type.NAME ? "_" : "").append(text(combo.get(k)));
                    }
                    if (draws > 0) {
                        name.append("-r").append(String.format(Locale.ROOT, pad, d));
                        for (Map.Entry<Alias, Object> v : drawn.get(d).entrySet())
                            if (v.getKey().path().apply(method.config()) != null) setting.put(v.getKey(), v.getValue());
                    }
                    String experiment = name.toString();
                    if (!names.add(experiment))
                        throw new ConfigException(sweepNode.path, "two settings give the experiment name '" + experiment + "' (values that print alike?)");
                    Map<String, Object> raw = deepCopy(method.node().value);
                    raw.put("name", experiment);
                    List<Value> values = new ArrayList<>();
                    for (Map.Entry<Alias, Object> s : setting.entrySet()) {
                        put(raw, s.getKey().path().apply(method.config()), s.getValue());
                        values.add(new Value(s.getKey().key(), text(s.getValue())));
                    }
                    experiments.add(ExperimentKeys.read(new Node("experiments[" + index++ + "] (" + experiment + ")", raw), toy));
                    members.add(new Member(experiment, method.config().name(), List.copyOf(values)));
                }
            }
        }
        return new Expanded(List.copyOf(experiments), new Sweep(List.copyOf(members), List.copyOf(methodNames)));
    }

    /** A random key's spec: {@code [choices]}, {@code {choices: [...]}} or {@code {low, high, log}}. */
    private static Draw draw(Alias a, Node r) {
        List<Object> choices = null;
        if (r.value instanceof List<?>) choices = values(a, r);
        else {
            Map<String, Object> spec = r.map(RANDOM);
            Node c = r.get(spec, "choices"), low = r.get(spec, "low"), high = r.get(spec, "high"), log = r.get(spec, "log");
            if (c != null) {
                if (low != null || high != null || log != null) throw new ConfigException(r.path, "either choices or a range (low, high), not both");
                choices = values(a, c);
            } else {
                if (a.type() == Type.NAME || a.type() == Type.BETAS) throw new ConfigException(r.path, a.key() + " is drawn from choices ([...]), not a range");
                if (low == null || high == null) throw new ConfigException(r.path, "needs low and high (or a list of choices)");
                double lo = ((Number) canonical(a, low)).doubleValue(), hi = ((Number) canonical(a, high)).doubleValue();
                if (lo > hi) throw new ConfigException(low.path, lo + " is above high, " + hi);
                boolean onLog = log == null ? a.log() : log.bool();
                if (onLog && lo <= 0) throw new ConfigException(low.path, "a log-scale draw needs low above 0, got " + lo);
                return new Draw(null, lo, hi, onLog);
            }
        }
        if (choices.isEmpty()) throw new ConfigException(r.path, "needs at least one choice");
        return new Draw(choices, 0, 0, false);
    }

    private static List<Object> values(Alias a, Node list) {
        List<Object> out = new ArrayList<>();
        for (Node v : list.list()) out.add(canonical(a, v));
        return out;
    }

    /** One draw of a key: a choice, or a point of the range (one number from the stream per key and draw either way). */
    private static Object sample(Alias a, Draw d, SplittableRandom rng) {
        if (d.choices() != null) return d.choices().get(rng.nextInt(d.choices().size()));
        double u = rng.nextDouble();
        double x = d.log() ? Math.exp(Math.log(d.low()) + u * (Math.log(d.high()) - Math.log(d.low()))) : d.low() + u * (d.high() - d.low());
        if (a.type() == Type.WHOLE) {
            long v = d.log() ? Math.round(x) : (long) Math.floor(d.low() + u * (d.high() - d.low() + 1));
            v = Math.max((long) d.low(), Math.min((long) d.high(), v));
            return a.key().equals("seed") ? (Object) v : (Object) (int) v;
        }
        double rounded = new BigDecimal(x).round(new MathContext(DRAWN_DIGITS)).doubleValue();
        return Math.max(d.low(), Math.min(d.high(), rounded));
    }

    /** A value as the experiment key reads it, checked as that key checks it (type and range), the refusal naming the sweep's path. */
    private static Object canonical(Alias a, Node v) {
        return switch (a.type()) {
            case REAL -> ((Number) check(a, v)).doubleValue();
            case WHOLE -> {
                check(a, v);
                yield a.key().equals("seed") ? (Object) v.longValue() : (Object) (int) v.longValue();
            }
            case NAME -> {
                check(a, v);
                yield v.value;
            }
            case BETAS -> {
                double[] b = (double[]) check(a, v);
                yield List.of(b[0], b[1]);
            }
        };
    }

    private static Object check(Alias a, Node v) {
        return ExperimentKeys.key(a.checkedAs()).read().apply(v);
    }

    private static List<List<Object>> cross(List<Alias> keys, Map<Alias, List<Object>> grid) {
        List<List<Object>> out = new ArrayList<>();
        out.add(List.of());
        for (Alias a : keys) {
            List<List<Object>> next = new ArrayList<>();
            for (List<Object> prefix : out)
                for (Object v : grid.get(a)) {
                    List<Object> l = new ArrayList<>(prefix);
                    l.add(v);
                    next.add(l);
                }
            out = next;
        }
        return out;
    }

    /** A value as names and labels show it: 1e-4, 0.01, 5, glorot, 0.5_0.9 (characters safe in file names, URLs and label values). */
    static String text(Object v) {
        if (v instanceof List<?> l) {
            StringBuilder b = new StringBuilder();
            for (Object o : l) b.append(b.length() == 0 ? "" : "_").append(text(o));
            return b.toString();
        }
        if (v instanceof Double d) {
            if (d == Math.rint(d) && Math.abs(d) < 1e4) return Long.toString(d.longValue());
            BigDecimal b = new BigDecimal(Double.toString(d)).stripTrailingZeros();
            if (Math.abs(d) >= 1e-3 && Math.abs(d) < 1e4) return b.toPlainString();
            String s = String.format(Locale.ROOT, "%." + Math.max(0, b.precision() - 1) + "e", d); // 1.5e-04
            String mantissa = s.substring(0, s.indexOf('e'));
            int exponent = Integer.parseInt(s.substring(s.indexOf('e') + 1));
            return mantissa + "e" + exponent;
        }
        return String.valueOf(v);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> deepCopy(Object value) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<Object, Object> e : ((Map<Object, Object>) value).entrySet()) out.put(String.valueOf(e.getKey()), copy(e.getValue()));
        return out;
    }

    private static Object copy(Object v) {
        if (v instanceof Map<?, ?>) return deepCopy(v);
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object o : l) out.add(copy(o));
            return out;
        }
        return v;
    }

    /**
     * Sets {@code path} (dotted, as in {@link ExperimentKeys}) in a method's YAML, so the expanded
     * experiment is read by the same keys in the same order as any other: a choice written as a bare
     * name ({@code constraint: gp}) or left out becomes a mapping holding the value.
     */
    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> raw, String path, Object value) {
        String[] parts = path.split("\\.");
        Map<String, Object> at = raw;
        for (int i = 0; i < parts.length - 1; i++) {
            Object next = at.get(parts[i]);
            if (next instanceof String s) { // a bare choice: `optimizer: adam`
                Map<String, Object> m = new LinkedHashMap<>();
                m.put(s, new LinkedHashMap<>());
                at.put(parts[i], m);
                next = m;
            } else if (!(next instanceof Map<?, ?>)) {
                next = new LinkedHashMap<String, Object>();
                at.put(parts[i], next);
            }
            at = (Map<String, Object>) next;
        }
        at.put(parts[parts.length - 1], value);
    }
}

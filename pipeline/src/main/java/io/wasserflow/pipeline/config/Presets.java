package io.wasserflow.pipeline.config;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * What {@code --config} names: a YAML file on disk, or one of the presets shipped under
 * {@code presets/} (in the repository and, copied at build time, in the jar). A spec resolves, in
 * order, to the file it names; for a preset name ({@code figure1}, {@code figure1.yaml} or
 * {@code presets/figure1.yaml}) to {@code presets/<name>.yaml} on disk; then to the jar's copy.
 * So a checkout's edited preset wins, and the jar alone still runs every preset.
 */
public final class Presets {
    /** The presets' folder, on disk (relative to the working folder) and in the jar. */
    public static final String DIR = "presets";

    private Presets() {}

    /** A resolved config: its text and where it came from (a path, or {@code jar:presets/NAME.yaml}). */
    public record Source(String yaml, String origin) {}

    /** Resolves {@code spec} as above and parses it; a spec that names nothing is a ConfigException listing the presets. */
    public static RunConfig load(String spec) throws IOException {
        return RunConfig.parse(resolve(spec).yaml());
    }

    /** Resolves {@code spec} as above, against the working folder. */
    public static Source resolve(String spec) throws IOException {
        return resolve(spec, Path.of(""));
    }

    /** Resolves {@code spec} as above, a relative path or {@code presets/} against {@code base}. */
    static Source resolve(String spec, Path base) throws IOException {
        if (spec == null || spec.isBlank()) throw new ConfigException("", "--config needs a file or a preset name");
        Path file;
        try {
            file = base.resolve(spec);
        } catch (java.nio.file.InvalidPathException e) {
            throw new ConfigException("", "no config file " + spec);
        }
        if (Files.isRegularFile(file)) return new Source(RunConfig.read(file), spec);
        String name = presetName(spec);
        if (name != null) {
            Path disk = base.resolve(DIR).resolve(name + ".yaml");
            if (Files.isRegularFile(disk)) return new Source(RunConfig.read(disk), DIR + "/" + name + ".yaml");
            String jar = fromJar(name);
            if (jar != null) return new Source(jar, "jar:" + DIR + "/" + name + ".yaml");
        }
        List<String> known = names(base);
        throw new ConfigException("", "no config file " + spec + (name == null ? "" : " and no preset '" + name + "'")
                + (known.isEmpty() ? "" : " (presets: " + String.join(", ", known) + ")"));
    }

    /** The preset a spec may name ({@code figure1}, {@code figure1.yaml}, {@code presets/figure1.yaml}), or null when it cannot be one. */
    static String presetName(String spec) {
        String s = spec.startsWith(DIR + "/") ? spec.substring(DIR.length() + 1) : spec;
        if (s.endsWith(".yaml")) s = s.substring(0, s.length() - ".yaml".length());
        return s.matches("[A-Za-z0-9_][A-Za-z0-9_.-]*") ? s : null;
    }

    /** The text of the jar's (the classpath's) copy of a preset, or null. */
    public static String fromJar(String name) throws IOException {
        try (InputStream in = Presets.class.getClassLoader().getResourceAsStream(DIR + "/" + name + ".yaml")) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The presets' names, from disk and from the jar (or classes folder) this class was loaded from, sorted. */
    public static List<String> names() {
        return names(Path.of(""));
    }

    static List<String> names(Path base) {
        TreeSet<String> out = new TreeSet<>();
        addYamlNames(base.resolve(DIR), out);
        try {
            var location = Presets.class.getProtectionDomain().getCodeSource().getLocation();
            Path where = Path.of(location.toURI());
            if (Files.isDirectory(where)) addYamlNames(where.resolve(DIR), out);
            else if (Files.isRegularFile(where))
                try (JarFile jar = new JarFile(where.toFile())) {
                    for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                        String n = e.nextElement().getName();
                        if (n.startsWith(DIR + "/") && n.endsWith(".yaml") && n.indexOf('/', DIR.length() + 1) < 0)
                            out.add(n.substring(DIR.length() + 1, n.length() - ".yaml".length()));
                    }
                }
        } catch (IOException | URISyntaxException | RuntimeException e) {
            // no listing from the jar: the names on disk are still worth showing
        }
        return new ArrayList<>(out);
    }

    private static void addYamlNames(Path dir, TreeSet<String> out) {
        if (!Files.isDirectory(dir)) return;
        try (Stream<Path> s = Files.list(dir)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).forEach(n -> out.add(n.substring(0, n.length() - ".yaml".length())));
        } catch (IOException e) {
            // an unreadable folder lists nothing
        }
    }
}

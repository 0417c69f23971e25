package io.wasserflow.pipeline.cli;

import io.wasserflow.pipeline.BadInputException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** `--flag value` pairs of one command, checked against the flags the command knows. */
public final class Args {
    private final String command;
    private final Map<String, String> values = new LinkedHashMap<>();

    public Args(String command, String[] argv, int from, Set<String> known) {
        this.command = command;
        for (int i = from; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("--")) throw new BadInputException("unexpected argument '" + a + "' (flags are --name value)");
            String name = a.substring(2), value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else {
                if (i + 1 >= argv.length) throw new BadInputException("--" + name + " needs a value");
                value = argv[++i];
            }
            if (!known.contains(name)) throw new BadInputException("unknown flag --" + name + " (known: --" + String.join(", --", known) + ")");
            values.put(name, value);
        }
    }

    public String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    public String require(String name) {
        String v = values.get(name);
        if (v == null) throw new BadInputException("--" + name + " is required");
        return v;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public int getInt(String name, int fallback) {
        String v = values.get(name);
        if (v == null) return fallback;
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new BadInputException("--" + name + " must be a whole number, got '" + v + "'");
        }
    }

    public double getDouble(String name, double fallback) {
        String v = values.get(name);
        if (v == null) return fallback;
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new BadInputException("--" + name + " must be a number, got '" + v + "'");
        }
    }

    public String choice(String name, String fallback, String... allowed) {
        String v = get(name, fallback);
        for (String a : allowed) if (a.equals(v)) return v;
        throw new BadInputException("--" + name + " must be one of " + String.join(", ", allowed) + ", got '" + v + "'");
    }
}

package io.wasserflow.pipeline.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A YAML value with its path (experiments[1].optimizer.adam.lr), for errors that point at the key. */
final class Node {
    final String path;
    final Object value;

    Node(String path, Object value) {
        this.path = path;
        this.value = value;
    }

    private String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> map(Set<String> allowed) {
        if (!(value instanceof Map)) throw new ConfigException(path, "expected a mapping, got " + describe(value));
        Map<String, Object> m = new LinkedHashMap<>();
        for (Map.Entry<Object, Object> e : ((Map<Object, Object>) value).entrySet()) {
            String k = String.valueOf(e.getKey());
            if (!allowed.contains(k)) throw new ConfigException(child(k), "unknown key (allowed: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            m.put(k, e.getValue());
        }
        return m;
    }

    Node get(Map<String, Object> m, String key) {
        return m.containsKey(key) ? new Node(child(key), m.get(key)) : null;
    }

    List<Node> list() {
        if (!(value instanceof List<?> l)) throw new ConfigException(path, "expected a list, got " + describe(value));
        List<Node> out = new ArrayList<>();
        for (int i = 0; i < l.size(); i++) out.add(new Node(path + "[" + i + "]", l.get(i)));
        return out;
    }

    String string() {
        if (!(value instanceof String s) || s.isBlank()) throw new ConfigException(path, "expected a non-empty string, got " + describe(value));
        return s;
    }

    boolean bool() {
        if (!(value instanceof Boolean b)) throw new ConfigException(path, "expected true or false, got " + describe(value));
        return b;
    }

    double number(double min, double max) {
        double v;
        if (value instanceof Number n) v = n.doubleValue();
        else if (value instanceof String s) {
            try {
                v = Double.parseDouble(s); // YAML 1.1 reads 1e-4 (no dot) as a string
            } catch (NumberFormatException e) {
                throw new ConfigException(path, "expected a number, got '" + s + "'");
            }
        } else throw new ConfigException(path, "expected a number, got " + describe(value));
        if (!(v >= min && v <= max)) throw new ConfigException(path, v + " is out of range [" + min + ", " + max + "]");
        return v;
    }

    int integer(long min, long max) {
        if (!(value instanceof Integer || value instanceof Long)) throw new ConfigException(path, "expected a whole number, got " + describe(value));
        long v = ((Number) value).longValue();
        if (v < min || v > max) throw new ConfigException(path, v + " is out of range [" + min + ", " + max + "]");
        return (int) v;
    }

    long longValue() {
        if (!(value instanceof Integer || value instanceof Long)) throw new ConfigException(path, "expected a whole number, got " + describe(value));
        return ((Number) value).longValue();
    }

    /** A name from {@code names}, refused as "unknown NOUN 'x' (a, b or c)". */
    <T> T named(String noun, Map<String, T> names) {
        String s = string();
        if (!names.containsKey(s)) {
            List<String> all = List.copyOf(names.keySet());
            String listed = all.size() == 1 ? all.get(0) : String.join(", ", all.subList(0, all.size() - 1)) + " or " + all.get(all.size() - 1);
            throw new ConfigException(path, "unknown " + noun + " '" + s + "' (" + listed + ")");
        }
        return names.get(s);
    }

    /** A name from {@code names}, refused as "unknown value 'x' (one of a, b, c)". */
    <T> T oneOf(Map<String, T> names) {
        String s = string();
        if (!names.containsKey(s)) throw new ConfigException(path, "unknown value '" + s + "' (one of " + String.join(", ", new java.util.TreeSet<>(names.keySet())) + ")");
        return names.get(s);
    }

    /** A choice written either as a bare name (`gp`) or as a one-key mapping (`gp: {lambda: 10}`). */
    Map.Entry<String, Node> choice(Set<String> names) {
        if (value instanceof String s) {
            if (!names.contains(s)) throw new ConfigException(path, "unknown value '" + s + "' (one of " + String.join(", ", new java.util.TreeSet<>(names)) + ")");
            return Map.entry(s, new Node(path + "." + s, Map.of()));
        }
        Map<String, Object> m = map(names);
        if (m.size() != 1) throw new ConfigException(path, "expected exactly one of " + String.join(", ", new java.util.TreeSet<>(names)));
        String k = m.keySet().iterator().next();
        Object v = m.get(k);
        return Map.entry(k, new Node(child(k), v == null ? Map.of() : v));
    }

    static String describe(Object v) {
        if (v == null) return "nothing";
        if (v instanceof Map) return "a mapping";
        if (v instanceof List) return "a list";
        return "'" + v + "'";
    }
}

package io.wasserflow.pipeline.config;

import io.wasserflow.pipeline.BadInputException;

/** A config that is refused before anything starts; the message names the key's path. */
public final class ConfigException extends BadInputException {
    public ConfigException(String path, String problem) {
        super(oneLine("config: " + (path.isEmpty() ? "" : path + ": ") + problem));
    }

    /** Line breaks and other control characters (a quoted key or value may hold them) written as escapes, so the message stays one line. */
    static String oneLine(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c == '\n') b.append("\\n");
            else if (c == '\r') b.append("\\r");
            else if (c == '\t') b.append("\\t");
            else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || c == '\u0085') b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.toString();
    }
}

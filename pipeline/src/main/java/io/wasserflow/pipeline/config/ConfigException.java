package io.wasserflow.pipeline.config;

import io.wasserflow.pipeline.cli.UsageException;

/** A config that is refused before anything starts; the message names the key's path. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String path, String problem) {
        super("config: " + (path.isEmpty() ? "" : path + ": ") + problem);
    }

    public UsageException asUsage() {
        return new UsageException(getMessage());
    }
}

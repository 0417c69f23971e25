package io.wasserflow.pipeline.cli;

/**
 * Bad input on the command line, in a config or in a named file: reported as one line, exit code 2.
 * An IllegalArgumentException, so library callers outside the CLI can treat it as one.
 */
public final class UsageException extends IllegalArgumentException {
    public UsageException(String message) {
        super(message);
    }
}

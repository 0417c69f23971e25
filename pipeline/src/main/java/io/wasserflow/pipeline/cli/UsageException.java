package io.wasserflow.pipeline.cli;

/** Bad input on the command line or in a config: reported as one line, exit code 2. */
public final class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}

package io.wasserflow.pipeline;

/**
 * Bad input from the user: a flag's value, a config, a named file or run, an unreachable broker.
 * Thrown by any layer; the command line prints its message as one line and exits with code 2. An
 * IllegalArgumentException, so callers outside the command line can treat it as one.
 */
public class BadInputException extends IllegalArgumentException {
    public BadInputException(String message) {
        super(message);
    }
}

package io.wasserflow.pipeline.job;

import java.io.Serializable;

/** The output topics' names (SPEC §5; all configurable). */
public record Topics(String metrics, String alerts, String runs, String deadLetters) implements Serializable {
    public static Topics defaults() {
        return new Topics("wasserflow.metrics", "wasserflow.alerts", "wasserflow.runs", "wasserflow.deadletter");
    }
}

package io.wasserflow.pipeline.cli;

import io.wasserflow.pipeline.run.RunDir;
import java.time.Duration;
import java.util.Locale;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.client.JobExecutionException;

/**
 * A local run (demo, train on a MiniCluster) restarts its job at most {@link #ATTEMPTS} times,
 * waiting 1, 2, 4, 8 and 16 s (31 s in all), then fails with the cause in one line, its checkpoints
 * kept for {@code resume}. Flink's default with checkpointing is to restart without end: a failure
 * that comes back every time (a bug, a full disk) would hang the command in silence. A transient one
 * still recovers: a fresh local broker answers "no coordinator" for some seconds while it creates its
 * offsets topic, which failed a demo's job more than 3 times at one-second intervals (seen in the
 * suite). A run that trains 10 minutes without a failure gets its attempts back. On a cluster, the
 * cluster's own restart strategy decides.
 */
final class LocalRestarts {
    private LocalRestarts() {}

    /** How often a local run's job restarts from its latest checkpoint after failures in a row before the command gives up. */
    static final int ATTEMPTS = 5;

    /** The restart strategy of a local run's job. */
    static Configuration configuration() {
        Configuration c = new Configuration();
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        c.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS, ATTEMPTS);
        c.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, Duration.ofSeconds(1));
        c.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER, 2.0);
        c.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, Duration.ofSeconds(16));
        c.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR, 0.0);
        c.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD, Duration.ofMinutes(10));
        return c;
    }

    /** Whether the job itself failed (as opposed to the command around it). */
    static boolean jobFailed(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause())
            if (t instanceof JobExecutionException) return true;
        return false;
    }

    /**
     * The one line of a local run whose job failed once more after its last restart: the cause (the
     * innermost message) and how to go on. It carries its own message and no cause, so the command
     * prints this line; Flink's exception rides along as suppressed for {@code WASSERFLOW_DEBUG}.
     */
    static IllegalStateException gaveUp(String runId, RunDir dir, Exception e) {
        IllegalStateException out = new IllegalStateException(String.format(Locale.ROOT,
                "run %s failed after %d restarts: %s (to go on from its latest checkpoint: ./wasserflow resume --run %s%s)", runId, ATTEMPTS,
                OneLineErrors.rootMessage(e), runId, LocalRun.workdirFlag(dir)));
        out.addSuppressed(e);
        return out;
    }
}

package io.wasserflow.pipeline.cli;

import io.wasserflow.pipeline.run.RunDir;
import java.time.Duration;
import java.util.Locale;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.client.JobExecutionException;

/**
 * A local run (demo, train on a MiniCluster) restarts its job at most {@link #ATTEMPTS} times, a
 * second apart, then fails with the cause in one line, its checkpoints kept for {@code resume}.
 * Flink's default with checkpointing is to restart without end: a failure that comes back every time
 * (a bug, a full disk) would hang the command in silence. A transient one (the machine swapping, a
 * broker hiccup) still recovers. On a cluster, the cluster's own restart strategy decides.
 */
final class LocalRestarts {
    private LocalRestarts() {}

    /** How often a local run's job restarts from its latest checkpoint after a failure before the command gives up. */
    static final int ATTEMPTS = 3;

    /** The restart strategy of a local run's job. */
    static Configuration configuration() {
        Configuration c = new Configuration();
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, ATTEMPTS);
        c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
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

package io.wasserflow.pipeline.metrics;

import io.wasserflow.schemas.TrainingMetric;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The first copy of each (run, experiment, step, series) of a stream of metric records, in stream
 * order: the records an uninterrupted run writes, whatever a failover or a resume wrote again.
 *
 * <p>The Kafka sink is at-least-once: after a TaskManager failover or a resume the job replays from
 * its last checkpoint, so the metrics topic holds the steps since that checkpoint twice (each copy
 * with its own time and step seconds). Every reader of the product (the summary, the run folder's
 * copy, {@code report}, {@code report --bootstrap}) reads through this filter.
 *
 * <p>A series (name and labels) of one experiment is written by one producer at a time, in step
 * order, idempotent (a retried send neither repeats nor reorders), so each attempt of the job writes
 * a prefix of its series from its checkpoint on, and every step up to a completed checkpoint was
 * written. A record is therefore a first copy exactly when its step is past the highest step its
 * series has shown: the filter keeps one (critic step, generator step) per series, not one key per
 * record, so it reads an endless run in constant memory. What it passes is, experiment by
 * experiment, the uninterrupted run's records in their order (a step cut short by the kill is
 * completed by the replay's copies of its remaining series).
 */
public final class FirstCopies implements Predicate<TrainingMetric> {
    /** A series of one experiment of one run: the metric's name and its labels. */
    private record Series(String run, String experiment, String name, Map<String, String> labels) {}

    /** Each series' highest step so far: critic step, then generator step (both only grow; every step raises one of them). */
    private final Map<Series, long[]> highest = new HashMap<>();
    private long repeats;

    /** True for the first copy of the record's (run, experiment, step, series); false for a repeat, which it counts. */
    @Override
    public boolean test(TrainingMetric m) {
        long[] top = highest.computeIfAbsent(new Series(m.getRun(), m.getExperiment(), m.getName(), Map.copyOf(m.getLabels())), s -> new long[] {-1, -1});
        long critic = m.getCriticStep(), generator = m.getGeneratorStep();
        if (critic < top[0] || (critic == top[0] && generator <= top[1])) {
            repeats++;
            return false;
        }
        top[0] = critic;
        top[1] = generator;
        return true;
    }

    /** The repeats dropped so far. */
    public long repeats() {
        return repeats;
    }

    /** Hands sink the first copy of each record (a new filter: one per stream read). */
    public static Consumer<TrainingMetric> of(Consumer<TrainingMetric> sink) {
        FirstCopies first = new FirstCopies();
        return m -> {
            if (first.test(m)) sink.accept(m);
        };
    }
}

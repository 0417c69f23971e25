package io.wasserflow.pipeline.sink;

import io.wasserflow.pipeline.metrics.Metric;
import io.wasserflow.schemas.TrainingMetric;
import java.util.HashMap;
import java.util.Map;

/**
 * A progress line per experiment every few seconds, from its metric records: the local CLI's
 * stdout, or a TaskManager's log on a cluster.
 */
public final class ProgressSink {
    static final long EVERY_MS = 5000;

    private ProgressSink() {}

    public static ForEachSink<TrainingMetric> lines() {
        return new ForEachSink<>(() -> new ForEachSink.Writer<>() {
            private final Map<String, Long> printed = new HashMap<>();
            private final Map<String, Double> estimate = new HashMap<>(), loss = new HashMap<>();

            @Override
            public void write(TrainingMetric m) {
                String e = m.getExperiment();
                Metric metric = Metric.byId(m.getName());
                if (metric == Metric.WASSERSTEIN_ESTIMATE) estimate.put(e, m.getValue());
                else if (metric == Metric.CRITIC_LOSS) loss.put(e, m.getValue());
                else if (metric == Metric.IMAGES_PER_SECOND) { // a critic step's last scalar
                    long now = System.currentTimeMillis();
                    if (now - printed.getOrDefault(e, 0L) < EVERY_MS) return;
                    printed.put(e, now);
                    System.out.printf(java.util.Locale.ROOT, "[%s] generator step %d, critic step %d, W estimate %.4f, critic loss %.4f, %.0f images/s%n",
                            e, m.getGeneratorStep(), m.getCriticStep(), estimate.getOrDefault(e, Double.NaN), loss.getOrDefault(e, Double.NaN), m.getValue());
                }
            }
        });
    }
}

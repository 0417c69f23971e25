package io.wasserflow.pipeline.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.wasserflow.schemas.AlertKind;
import io.wasserflow.schemas.TrainingMetric;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns TrainingMetric records into the series of the {@link Metric} catalogue on one registry: a gauge per metric name
 * labelled {@code run}, {@code experiment} and the record's own labels, the weight histograms, and
 * the detector's, state and dead-letter series. Every metric family is made once, here; publishing
 * only sets values, so a step's tens of records cost microseconds. Thread-safe: the slots of a
 * TaskManager publish into one endpoint at once.
 */
public final class PrometheusPublisher {
    /** The experiment states of {@code wasserflow_experiment_state}. */
    public static final List<String> STATES = List.of("training", "diverged", "finished");

    /**
     * What a finished experiment keeps: its summary, the final values of its scalar series (steps,
     * losses, W estimates, sample quality, state, the detector's checks). Its detail (every series
     * of this set: per-layer norms, clip shares, spectral norms, weight histograms, the detector's
     * per-layer alerts, input-gradient quantiles and speed) is removed when it finishes, so a
     * sweep's exposition holds the detail of the experiments still training only.
     */
    public static final Set<Metric> DETAIL = Collections.unmodifiableSet(EnumSet.of(Metric.GRADIENT_NORM, Metric.ACTIVATION_GRADIENT_NORM,
            Metric.WEIGHT_CLIP_FRACTION, Metric.LAYER_SPECTRAL_NORM, Metric.WEIGHT, Metric.GRADIENT_ALERT, Metric.INPUT_GRADIENT_NORM,
            Metric.STEP_SECONDS, Metric.IMAGES_PER_SECOND));

    /** A registered gauge and the record labels it takes, in label order. */
    private record Series(Gauge gauge, String[] labels, boolean detail) {
        String[] values(TrainingMetric m) {
            Map<String, String> given = m.getLabels();
            String[] values = new String[2 + labels.length];
            values[0] = m.getRun();
            values[1] = m.getExperiment();
            for (int i = 0; i < labels.length; i++)
                if ((values[2 + i] = given.get(labels[i])) == null) throw wrongLabels(m);
            if (given.size() != labels.length) throw wrongLabels(m);
            return values;
        }

        IllegalArgumentException wrongLabels(TrainingMetric m) {
            return new IllegalArgumentException(m.getName() + " takes labels " + List.of(labels) + ", got " + m.getLabels());
        }
    }

    private final Map<String, Series> gauges = new HashMap<>();
    private final WeightHistograms weights = new WeightHistograms(Metric.WEIGHT.help);
    private final Counter deadLetters, checks;
    private final Info info;
    /** The label values of each experiment's info series, by run and experiment, to replace or remove it. */
    private final Map<List<String>, String[]> infoLabels = new HashMap<>();
    /** The experiments that have finished, as run and experiment: their detail is dropped, also when it arrives after the state. */
    private final Set<List<String>> finished = ConcurrentHashMap.newKeySet();

    /** Registers every metric family of the catalogue on the registry. */
    public PrometheusPublisher(PrometheusRegistry registry) {
        for (Metric m : Metric.values()) {
            if (m.type != Metric.Type.GAUGE) continue;
            Gauge g = Gauge.builder().name(m.id).help(m.help).labelNames(m.allLabels()).withoutExemplars().register(registry);
            gauges.put(m.id, new Series(g, m.labels.toArray(String[]::new), DETAIL.contains(m)));
        }
        registry.register(weights);
        info = Info.builder().name(Metric.EXPERIMENT_INFO.id).help(Metric.EXPERIMENT_INFO.help).labelNames(Metric.EXPERIMENT_INFO.allLabels()).register(registry);
        deadLetters = counter(registry, Metric.DEAD_LETTERS);
        checks = counter(registry, Metric.GRADIENT_CHECKS);
    }

    private static Counter counter(PrometheusRegistry registry, Metric m) {
        return Counter.builder().name(m.id).help(m.help).labelNames(m.allLabels()).withoutExemplars().register(registry);
    }

    /** Publishes one step's records. */
    public void publish(Collection<TrainingMetric> records) {
        for (TrainingMetric m : records) publish(m);
    }

    /** Sets the record's gauge, or adds its buckets to its weight histogram. */
    public void publish(TrainingMetric m) {
        if (m.getName().equals(Metric.WEIGHT.id)) {
            if (!isFinished(m.getRun(), m.getExperiment())) weights.add(m);
            return;
        }
        Series s = gauges.get(m.getName());
        if (s == null) throw new IllegalArgumentException("unknown metric " + m.getName() + " (not in SPEC §6)");
        String[] labels = s.values(m);
        if (s.detail() && isFinished(m.getRun(), m.getExperiment())) return;
        s.gauge().labelValues(labels).set(m.getValue());
    }

    private boolean isFinished(String run, String experiment) {
        return !finished.isEmpty() && finished.contains(List.of(run, experiment));
    }

    /** Counts one record sent to the dead-letter topic. */
    public void deadLetter(String run, String reason) {
        deadLetters.labelValues(run, reason).inc();
    }

    /** Marks the experiment's current state: 1 for it, 0 for the other states. */
    public void state(String run, String experiment, String state) {
        if (!STATES.contains(state)) throw new IllegalArgumentException("experiment state must be one of " + STATES + ", got '" + state + "'");
        Gauge g = gauges.get(Metric.EXPERIMENT_STATE.id).gauge();
        synchronized (g) {
            for (String s : STATES) g.labelValues(run, experiment, s).set(s.equals(state) ? 1 : 0);
        }
        if (state.equals("finished")) {
            finished.add(List.of(run, experiment));
            dropDetail(run, experiment);
        } else finished.remove(List.of(run, experiment));
    }

    /** Removes the experiment's {@link #DETAIL} series, keeping its summary. */
    private void dropDetail(String run, String experiment) {
        for (Series s : gauges.values()) if (s.detail()) s.gauge().removeIf(l -> l.get(0).equals(run) && l.get(1).equals(experiment));
        weights.forget(run, experiment);
    }

    /** Publishes the experiment's info series: the sweep method it came from and its setting. */
    public void info(String run, String experiment, String method, String setting) {
        synchronized (info) {
            String[] labels = {run, experiment, method, setting};
            String[] before = infoLabels.put(List.of(run, experiment), labels);
            if (before != null) info.remove(before);
            info.addLabelValues(labels);
        }
    }

    /** Raises (1) or clears (0) the detector's alert of one kind on one layer. */
    public void alert(String run, String experiment, AlertKind kind, String network, String layer, boolean firing) {
        if (isFinished(run, experiment)) return;
        gauges.get(Metric.GRADIENT_ALERT.id).gauge().labelValues(run, experiment, kind.name().toLowerCase(Locale.ROOT), network, layer).set(firing ? 1 : 0);
    }

    /** Counts one step the gradient detector checked: a healthy run shows its detector runs. */
    public void checked(String run, String experiment) {
        checks.labelValues(run, experiment).inc();
    }

    /** Removes every series of an experiment (it has closed); run-level series stay. */
    public void forget(String run, String experiment) {
        for (Series s : gauges.values()) s.gauge().removeIf(l -> l.get(0).equals(run) && l.get(1).equals(experiment));
        weights.forget(run, experiment);
        checks.removeIf(l -> l.get(0).equals(run) && l.get(1).equals(experiment));
        finished.remove(List.of(run, experiment));
        synchronized (info) {
            String[] labels = infoLabels.remove(List.of(run, experiment));
            if (labels != null) info.remove(labels);
        }
    }
}

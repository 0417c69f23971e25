package io.wasserflow.pipeline.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.wasserflow.schemas.AlertKind;
import io.wasserflow.schemas.TrainingMetric;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns TrainingMetric records into the series of SPEC §6 on one registry: a gauge per metric name
 * labelled {@code run}, {@code experiment} and the record's own labels, the weight histograms, and
 * the detector's, state and dead-letter series. Every metric family is made once, here; publishing
 * only sets values, so a step's tens of records cost microseconds. Thread-safe: the slots of a
 * TaskManager publish into one endpoint at once.
 */
public final class PrometheusPublisher {
    /** The experiment states of {@code wasserflow_experiment_state}. */
    public static final List<String> STATES = List.of("training", "diverged", "finished");

    /** A gauge family of SPEC §6: its name, HELP text, and the labels after run and experiment. */
    private record Family(String name, String help, String... labels) {}

    private static final List<Family> GAUGES = List.of(
            new Family("wasserflow_generator_step", "Progress: the current generator step"),
            new Family("wasserflow_critic_step", "Progress: the current critic step"),
            new Family("wasserflow_wasserstein_estimate", "Mean critic(real) minus mean critic(fake) on the latest critic batch (Wasserstein losses only)"),
            new Family("wasserflow_critic_loss", "Loss term: the critic's loss, penalty included"),
            new Family("wasserflow_generator_loss", "Loss term: the generator's loss"),
            new Family("wasserflow_gradient_penalty", "Loss term: the critic's gradient penalty"),
            new Family("wasserflow_gradient_norm", "L2 norm of the loss gradient with respect to one layer's weights", "network", "layer"),
            new Family("wasserflow_activation_gradient_norm", "L2 norm, over the batch, of the gradient of the critic's Wasserstein term "
                    + "(mean D(fake) - mean D(real), penalty excluded) with respect to one layer's activations", "network", "layer"),
            new Family("wasserflow_input_gradient_norm", "Norm of d critic / d input at the interpolates, per batch (stat: min, p10, p50, p90, max)", "stat"),
            new Family("wasserflow_weight_clip_fraction", "Share of a clipped layer's weights at the clip bound", "network", "layer"),
            new Family("wasserflow_sample_quality", "Sample quality (measure: modes, high_quality_share, w1 for toy data; "
                    + "frechet_distance, birthday_duplicates for images)", "measure"),
            new Family("wasserflow_step_seconds", "Speed: seconds of the latest training step (kind: critic or generator)", "kind"),
            new Family("wasserflow_images_per_second", "Speed: real images per second of the latest critic step"),
            new Family("wasserflow_gradient_alert", "1 while an in-job detector sees vanishing, exploding or non-finite gradients (kind)", "kind", "network", "layer"),
            new Family("wasserflow_experiment_state", "1 for the experiment's current state (state: training, diverged, finished)", "state"));

    private static final String WEIGHT_HELP = "Weight histogram of one layer on fixed bucket edges, every weight observed once every K steps";

    /** A registered gauge and the record labels it takes, in label order. */
    private record Series(Gauge gauge, String[] labels) {
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
    private final WeightHistograms weights = new WeightHistograms(WEIGHT_HELP);
    private final Counter deadLetters;

    /** Registers every metric family of SPEC §6 on the registry. */
    public PrometheusPublisher(PrometheusRegistry registry) {
        for (Family f : GAUGES) {
            String[] names = new String[2 + f.labels().length];
            names[0] = "run";
            names[1] = "experiment";
            System.arraycopy(f.labels(), 0, names, 2, f.labels().length);
            Gauge g = Gauge.builder().name(f.name()).help(f.help()).labelNames(names).withoutExemplars().register(registry);
            gauges.put(f.name(), new Series(g, f.labels()));
        }
        registry.register(weights);
        deadLetters = Counter.builder().name("wasserflow_dead_letters_total").help("Records sent to the dead-letter topic (reason)")
                .labelNames("run", "reason").withoutExemplars().register(registry);
    }

    /** Publishes one step's records. */
    public void publish(Collection<TrainingMetric> records) {
        for (TrainingMetric m : records) publish(m);
    }

    /** Sets the record's gauge, or adds its buckets to its weight histogram. */
    public void publish(TrainingMetric m) {
        if (m.getName().equals(WeightHistograms.NAME)) {
            weights.add(m);
            return;
        }
        Series s = gauges.get(m.getName());
        if (s == null) throw new IllegalArgumentException("unknown metric " + m.getName() + " (not in SPEC §6)");
        s.gauge().labelValues(s.values(m)).set(m.getValue());
    }

    /** Counts one record sent to the dead-letter topic. */
    public void deadLetter(String run, String reason) {
        deadLetters.labelValues(run, reason).inc();
    }

    /** Marks the experiment's current state: 1 for it, 0 for the other states. */
    public void state(String run, String experiment, String state) {
        if (!STATES.contains(state)) throw new IllegalArgumentException("experiment state must be one of " + STATES + ", got '" + state + "'");
        Gauge g = gauges.get("wasserflow_experiment_state").gauge();
        synchronized (g) {
            for (String s : STATES) g.labelValues(run, experiment, s).set(s.equals(state) ? 1 : 0);
        }
    }

    /** Raises (1) or clears (0) the detector's alert of one kind on one layer. */
    public void alert(String run, String experiment, AlertKind kind, String network, String layer, boolean firing) {
        gauges.get("wasserflow_gradient_alert").gauge().labelValues(run, experiment, kind.name().toLowerCase(Locale.ROOT), network, layer).set(firing ? 1 : 0);
    }

    /** Removes every series of an experiment (it has closed); run-level series stay. */
    public void forget(String run, String experiment) {
        for (Series s : gauges.values()) s.gauge().removeIf(l -> l.get(0).equals(run) && l.get(1).equals(experiment));
        weights.forget(run, experiment);
    }
}

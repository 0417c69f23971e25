package io.wasserflow.pipeline.metrics;

import java.util.List;

/**
 * The catalogue of Wasserflow's series (SPEC §6): each metric's name, type, help and labels, written
 * here once. The record builder, the Prometheus publisher, the report, the demo's summary and the
 * benches refer to these constants, and a test checks every dashboard query and alert rule against
 * them. Experiment series carry {@code run} and {@code experiment} before {@link #labels}; run-level
 * series carry {@code run} alone.
 */
public enum Metric {
    GENERATOR_STEP("wasserflow_generator_step", Type.GAUGE, "Progress: the current generator step"),
    CRITIC_STEP("wasserflow_critic_step", Type.GAUGE, "Progress: the current critic step"),
    WASSERSTEIN_ESTIMATE("wasserflow_wasserstein_estimate", Type.GAUGE,
            "Mean critic(real) minus mean critic(fake) on the latest critic batch (Wasserstein losses only)"),
    NORMALIZED_WASSERSTEIN_ESTIMATE("wasserflow_normalized_wasserstein_estimate", Type.GAUGE,
            "The Wasserstein estimate divided by the largest ||grad_x D|| at the batch's interpolates: every constraint on one, empirical, scale"),
    CRITIC_LOSS("wasserflow_critic_loss", Type.GAUGE, "Loss term: the critic's loss, penalty included"),
    GENERATOR_LOSS("wasserflow_generator_loss", Type.GAUGE, "Loss term: the generator's loss"),
    GRADIENT_PENALTY("wasserflow_gradient_penalty", Type.GAUGE, "Loss term: the critic's gradient penalty"),
    GRADIENT_NORM("wasserflow_gradient_norm", Type.GAUGE, "L2 norm of the loss gradient with respect to one layer's weights", "network", "layer"),
    ACTIVATION_GRADIENT_NORM("wasserflow_activation_gradient_norm", Type.GAUGE, "L2 norm, over the batch, of the gradient of the critic's "
            + "Wasserstein term (mean D(fake) - mean D(real), penalty excluded) with respect to one layer's activations", "network", "layer"),
    INPUT_GRADIENT_NORM("wasserflow_input_gradient_norm", Type.GAUGE,
            "Norm of d critic / d input at the interpolates, per batch (stat: min, p10, p50, p90, max)", "stat"),
    WEIGHT_CLIP_FRACTION("wasserflow_weight_clip_fraction", Type.GAUGE, "Share of a clipped layer's weights at the clip bound", "network", "layer"),
    LAYER_SPECTRAL_NORM("wasserflow_layer_spectral_norm", Type.GAUGE, "Largest singular value of one layer's weight as the layer computes "
            + "with it (a convolution's kernel as the matrix [out, in*k*k], not the convolution's operator norm), by power iteration",
            "network", "layer"),
    WEIGHT("wasserflow_weight", Type.HISTOGRAM, "Weight histogram of one layer on fixed bucket edges, every weight observed once every K steps",
            "network", "layer"),
    SAMPLE_QUALITY("wasserflow_sample_quality", Type.GAUGE,
            "Sample quality (measure: modes, high_quality_share, w1 for toy data; frechet_distance, birthday_duplicates, classes_covered, "
                    + "class_kl, classifier_score for Fashion-MNIST; reconstruction_error, latent_error, and on Fashion-MNIST probe_accuracy, "
                    + "probe_accuracy_random for BiGAN)", "measure"),
    SAMPLE_CLASS_SHARE("wasserflow_sample_class_share", Type.GAUGE,
            "Share of the generated images the quality classifier labels with one Fashion-MNIST class (class)", "class"),
    STEP_SECONDS("wasserflow_step_seconds", Type.GAUGE, "Speed: seconds of the latest training step (kind: critic or generator)", "kind"),
    IMAGES_PER_SECOND("wasserflow_images_per_second", Type.GAUGE, "Speed: real images per second of the latest critic step"),
    GRADIENT_ALERT("wasserflow_gradient_alert", Type.GAUGE,
            "1 while an in-job detector sees vanishing, exploding or non-finite gradients (kind)", "kind", "network", "layer"),
    GRADIENT_CHECKS("wasserflow_gradient_checks_total", Type.COUNTER,
            "Steps the in-job gradient detector has checked: it runs, whether or not an alert fires"),
    EXPERIMENT_STATE("wasserflow_experiment_state", Type.GAUGE, "1 for the experiment's current state (state: training, diverged, finished)", "state"),
    EXPERIMENT_INFO("wasserflow_experiment_info", Type.INFO, "1 for each experiment, labelled with the sweep method it came from and its setting "
            + "(without a sweep: its own name and an empty setting), for joins: * on (run, experiment) group_left (method, setting)", "method", "setting"),
    DEAD_LETTERS("wasserflow_dead_letters_total", Type.COUNTER, Scope.RUN, "Records sent to the dead-letter topic (reason)", "reason");

    /** INFO: an info metric (client_java's Info), a gauge of value 1 whose labels are its content. */
    public enum Type { GAUGE, COUNTER, HISTOGRAM, INFO }

    /** Whose series: one experiment's ({@code run}, {@code experiment}) or the run's ({@code run}). */
    public enum Scope { EXPERIMENT, RUN }

    /** The Prometheus name. */
    public final String id;
    public final Type type;
    public final Scope scope;
    public final String help;
    /** The labels after run (and experiment). */
    public final List<String> labels;

    Metric(String id, Type type, String help, String... labels) {
        this(id, type, Scope.EXPERIMENT, help, labels);
    }

    Metric(String id, Type type, Scope scope, String help, String... labels) {
        this.id = id;
        this.type = type;
        this.scope = scope;
        this.help = help;
        this.labels = List.of(labels);
    }

    /** Every label, in order: run, experiment (for experiment series), then {@link #labels}. */
    public String[] allLabels() {
        List<String> head = scope == Scope.EXPERIMENT ? List.of("run", "experiment") : List.of("run");
        return java.util.stream.Stream.concat(head.stream(), labels.stream()).toArray(String[]::new);
    }

    /** The metric of this Prometheus name (a record's name), or null. */
    public static Metric byId(String id) {
        for (Metric m : values()) if (m.id.equals(id)) return m;
        return null;
    }

    /** The names a Prometheus query may use of this metric: a histogram's series and a counter's as exposed. */
    public List<String> seriesNames() {
        return type == Type.HISTOGRAM ? List.of(id + "_bucket", id + "_sum", id + "_count") : List.of(id);
    }
}

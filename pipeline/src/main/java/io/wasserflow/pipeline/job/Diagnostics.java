package io.wasserflow.pipeline.job;

import io.wasserflow.models.diagnostics.GradientDetector;
import io.wasserflow.schemas.TrainingMetric;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.util.OutputTag;

/**
 * What leaves the trainers besides training: side outputs that the job's sinks consume (Kafka,
 * Prometheus, the run folder, the console). A step's metric records travel together on one output,
 * in the order the report reads them, so each sink has one input and stays chained to the trainer.
 */
public final class Diagnostics {
    private Diagnostics() {}

    /**
     * Scalars, per-layer values and weight histograms of every step, and the sample-quality measures.
     * Their sinks are chained with object reuse, so the records are never serialized on the way.
     */
    public static final TypeInformation<TrainingMetric> METRIC_TYPE = new GenericTypeInfo<>(TrainingMetric.class);
    public static final OutputTag<TrainingMetric> METRICS = new OutputTag<>("metrics", METRIC_TYPE);
    /** Sample pictures. */
    public static final OutputTag<SamplePicture> SAMPLES = new OutputTag<>("samples", TypeInformation.of(SamplePicture.class));
    /** The gradient detector's verdict on every step: the alerts it raised or cleared (often none). */
    public static final OutputTag<AlertCheck> ALERTS = new OutputTag<>("alerts", TypeInformation.of(AlertCheck.class));
    /** An experiment's state when it changes: training, diverged, finished. */
    public static final OutputTag<ExperimentState> STATES = new OutputTag<>("states", TypeInformation.of(ExperimentState.class));

    /**
     * A picture of one generator step: {@code kind} is {@link #SAMPLE_PICTURES} (the generator's samples) or
     * {@link #LANDSCAPES} (a 2-D critic's landscape) or {@link #RECONSTRUCTIONS}, the folder and URL path it is served under.
     */
    public record SamplePicture(String run, String experiment, long generatorStep, byte[] png, String kind) {
        public SamplePicture(String run, String experiment, long generatorStep, byte[] png) {
            this(run, experiment, generatorStep, png, SAMPLE_PICTURES);
        }
    }

    /** The run folder's and the endpoint's names for the kinds of picture; RECONSTRUCTIONS: a BiGAN's x above G(E(x)). */
    public static final String SAMPLE_PICTURES = io.wasserflow.pipeline.run.RunDir.SAMPLES, LANDSCAPES = "landscapes",
            RECONSTRUCTIONS = BiganDiagnostics.RECONSTRUCTIONS;

    public record AlertCheck(String run, String experiment, long criticStep, List<GradientDetector.Alert> changes, long timeMs) {}

    /**
     * An experiment's state; when it opens, also the sweep method it came from and its setting (its
     * {@code wasserflow_experiment_info}); null for the changes that follow.
     */
    public record ExperimentState(String run, String experiment, String state, String method, String setting) {
        public static final String TRAINING = "training", DIVERGED = "diverged", FINISHED = "finished";

        public ExperimentState(String run, String experiment, String state) {
            this(run, experiment, state, null, null);
        }
    }
}

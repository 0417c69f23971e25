package io.wasserflow.pipeline.sink;

import io.wasserflow.models.diagnostics.GradientDetector;
import io.wasserflow.pipeline.job.Diagnostics.AlertCheck;
import io.wasserflow.pipeline.job.Emitted;
import io.wasserflow.pipeline.job.Topics;
import io.wasserflow.schemas.AlertKind;
import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.GradientAlert;
import io.wasserflow.schemas.TrainingMetric;
import java.util.Locale;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The trainers' side outputs as Kafka records (SPEC §5), keyed run/experiment, Avro single-object encoded. */
public final class KafkaRecords {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaRecords.class);

    private KafkaRecords() {}

    public static MapFunction<TrainingMetric, Emitted> metrics(Topics topics) {
        return m -> new Emitted(topics.metrics(), m.getRun() + "/" + m.getExperiment(), Codec.TRAINING_METRIC.encode(m));
    }

    /** An alert record for every alert the detector raised (cleared ones are on the gauge only), and a log line. */
    public static FlatMapFunction<AlertCheck, Emitted> alerts(Topics topics) {
        return (check, out) -> {
            for (GradientDetector.Alert a : check.changes()) if (a.firing()) raised(topics, check, a, out);
        };
    }

    private static void raised(Topics topics, AlertCheck check, GradientDetector.Alert a, Collector<Emitted> out) {
        AlertKind kind = AlertKind.valueOf(a.kind().name());
        GradientAlert alert = GradientAlert.newBuilder().setRun(check.run()).setExperiment(check.experiment()).setKind(kind).setNetwork(a.network())
                .setLayer(a.layer()).setValue(a.value()).setThreshold(a.threshold()).setStep(check.criticStep()).setTimeMs(check.timeMs()).build();
        out.collect(new Emitted(topics.alerts(), check.run() + "/" + check.experiment(), Codec.GRADIENT_ALERT.encode(alert)));
        LOG.warn("{}/{}: {} gradients in {} layer {} ({}) at critic step {}", check.run(), check.experiment(), kind.name().toLowerCase(Locale.ROOT),
                a.network(), a.layer(), a.value(), check.criticStep());
    }
}

package io.wasserflow.pipeline.sink;

import io.wasserflow.models.diagnostics.GradientDetector;
import io.wasserflow.pipeline.job.Diagnostics.AlertCheck;
import io.wasserflow.pipeline.job.Diagnostics.ExperimentState;
import io.wasserflow.pipeline.job.Diagnostics.SamplePicture;
import io.wasserflow.pipeline.metrics.MetricsEndpoint;
import io.wasserflow.schemas.AlertKind;
import io.wasserflow.schemas.TrainingMetric;
import java.io.Serializable;

/** The trainers' side outputs onto this JVM's Prometheus endpoint (SPEC §6), held while a sink subtask runs. */
public final class PrometheusSinks {
    private PrometheusSinks() {}

    private interface Publish<T> extends Serializable {
        void accept(MetricsEndpoint endpoint, T value);
    }

    private static <T> ForEachSink<T> on(Publish<T> publish) {
        return new ForEachSink<>(() -> new OnEndpoint<>(publish));
    }

    /** Holds the endpoint while the sink subtask runs: the last one to close closes it. */
    private static final class OnEndpoint<T> implements ForEachSink.Writer<T> {
        private final MetricsEndpoint endpoint = MetricsEndpoint.acquire();
        private final Publish<T> publish;

        OnEndpoint(Publish<T> publish) {
            this.publish = publish;
        }

        @Override
        public void write(T value) {
            publish.accept(endpoint, value);
        }

        @Override
        public void close() {
            endpoint.release();
        }
    }

    public static ForEachSink<TrainingMetric> metrics() {
        return on((endpoint, m) -> endpoint.publisher().publish(m));
    }

    public static ForEachSink<SamplePicture> samples() {
        return on((endpoint, s) -> endpoint.putPicture(s.kind(), s.run(), s.experiment(), s.png()));
    }

    public static ForEachSink<ExperimentState> states() {
        return on((endpoint, s) -> {
            if (s.method() != null) endpoint.publisher().info(s.run(), s.experiment(), s.method(), s.setting());
            endpoint.publisher().state(s.run(), s.experiment(), s.state());
        });
    }

    /** The detector's gauges, and its checks counter: a healthy run shows that its detector runs. */
    public static ForEachSink<AlertCheck> alerts() {
        return on((endpoint, check) -> {
            endpoint.publisher().checked(check.run(), check.experiment());
            for (GradientDetector.Alert a : check.changes())
                endpoint.publisher().alert(check.run(), check.experiment(), AlertKind.valueOf(a.kind().name()), a.network(), a.layer(), a.firing());
        });
    }
}

package io.wasserflow.pipeline.cli;

import io.wasserflow.pipeline.metrics.MetricsEndpoint;
import picocli.CommandLine.Option;

/** `--metrics-bind ADDRESS`: where the metrics and picture endpoint listens (default loopback: nothing is exposed). */
final class MetricsBindOption {
    @Option(names = "--metrics-bind", paramLabel = "ADDRESS",
            description = "the address the metrics and picture endpoint listens on (default " + MetricsEndpoint.DEFAULT_BIND
                    + ", this machine only; 0.0.0.0 for all interfaces)")
    void bind(String address) {
        System.setProperty(MetricsEndpoint.BIND_PROPERTY, address);
    }
}

package io.wasserflow.pipeline.source;

import io.wasserflow.pipeline.BadInputException;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/** Whether a Kafka broker answers at a bootstrap address, asked before anything is started or written. */
public final class BrokerCheck {
    private BrokerCheck() {}

    /** Fails fast, in one line, when no broker answers. */
    public static void requireReachable(String bootstrap) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap, "request.timeout.ms", "3000", "default.api.timeout.ms", "5000"))) {
            admin.describeCluster().nodes().get();
        } catch (Exception e) {
            throw new BadInputException("cannot reach a Kafka broker at " + bootstrap + " (start one with ./wasserflow broker)");
        }
    }
}

package io.wasserflow.pipeline.source;

import io.wasserflow.pipeline.kafka.KafkaClients;
import java.time.Duration;
import io.wasserflow.pipeline.BadInputException;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/** Whether a Kafka broker answers at a bootstrap address, asked before anything is started or written. */
public final class BrokerCheck {
    private BrokerCheck() {}

    /** Fails fast, in one line, when no broker answers. */
    public static void requireReachable(String bootstrap) {
        try (Admin admin = KafkaClients.admin(bootstrap, Duration.ofSeconds(3), Duration.ofSeconds(5))) {
            admin.describeCluster().nodes().get();
        } catch (Exception e) {
            throw new BadInputException("cannot reach a Kafka broker at " + bootstrap + " (start one with ./wasserflow broker)");
        }
    }
}

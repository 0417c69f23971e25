package io.wasserflow.pipeline.testing;

import io.wasserflow.pipeline.broker.LocalKafkaBroker;
import io.wasserflow.pipeline.kafka.KafkaClients;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real local broker for the tests of a class, empty when the class starts:
 * {@code @RegisterExtension static final TestBroker BROKER = new TestBroker();}, then
 * {@code BROKER.bootstrap()}.
 *
 * <p>One broker serves every class of the test JVM: starting one takes 6-7 s on a 2-core machine
 * (measured), which the fifteen-odd classes that need one would each pay. Before a class's own
 * {@code @BeforeAll}, the topics earlier classes left are deleted, so a class sees only its own
 * records, as on a broker of its own. A class that restarts or kills its broker starts its own
 * {@link LocalKafkaBroker} instead.
 */
public final class TestBroker implements BeforeAllCallback {
    private static final ExtensionContext.Namespace SHARED = ExtensionContext.Namespace.create(TestBroker.class);
    private static final Duration EMPTIED_WITHIN = Duration.ofSeconds(30);
    private LocalKafkaBroker broker;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Shared shared = context.getRoot().getStore(SHARED).getOrComputeIfAbsent(Shared.class, k -> Shared.start(), Shared.class);
        if (!shared.broker.isRunning()) shared.broker.restart(); // a class that stopped it (it should have started its own)
        broker = shared.broker;
        deleteAllTopics(broker.bootstrap());
    }

    /** "127.0.0.1:PORT". */
    public String bootstrap() {
        return broker().bootstrap();
    }

    public LocalKafkaBroker broker() {
        if (broker == null) throw new IllegalStateException("TestBroker is used before its class started: register it on a static field");
        return broker;
    }

    /** Deletes every topic but the broker's own and waits until none is listed. */
    private static void deleteAllTopics(String bootstrap) throws Exception {
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            Set<String> topics = admin.listTopics().names().get();
            if (topics.isEmpty()) return;
            admin.deleteTopics(topics).all().get();
            long deadline = System.nanoTime() + EMPTIED_WITHIN.toNanos();
            while (!admin.listTopics().names().get().isEmpty()) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("the test broker still lists " + admin.listTopics().names().get());
                Thread.sleep(50);
            }
        }
    }

    /** The JVM's broker, stopped when the test run ends. */
    private record Shared(LocalKafkaBroker broker) implements ExtensionContext.Store.CloseableResource {
        static Shared start() {
            try {
                return new Shared(LocalKafkaBroker.start());
            } catch (IOException e) {
                throw new IllegalStateException("cannot start the test broker: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            broker.close();
        }
    }
}

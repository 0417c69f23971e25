package io.wasserflow.pipeline.testing;

import io.wasserflow.pipeline.kafka.KafkaClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/** Follows a topic that exists, from its start or from where it ends now, keeping the values it has seen, so a test can wait for what a job writes. */
public final class TopicFollower implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(100);
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<byte[]> seen = new ArrayList<>();

    private TopicFollower(String bootstrap, String topic, KafkaClients.From from) {
        consumer = KafkaClients.consumer(bootstrap, topic, from)
                .orElseThrow(() -> new IllegalStateException("no topic " + topic + " to follow (create it first: KafkaClients.ensureTopic)"));
    }

    /** Follows every record the topic holds and will hold. */
    public static TopicFollower fromStart(String bootstrap, String topic) {
        return new TopicFollower(bootstrap, topic, KafkaClients.From.START);
    }

    /** Follows the records written from now on. */
    public static TopicFollower fromEnd(String bootstrap, String topic) {
        return new TopicFollower(bootstrap, topic, KafkaClients.From.END);
    }

    /** Reads what arrives within 100 ms; returns those values (added to {@link #seen()}). */
    public List<byte[]> poll() {
        List<byte[]> got = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) got.add(r.value());
        seen.addAll(got);
        return got;
    }

    /** Polls until the values seen so far satisfy {@code done}, or the timeout passes; returns whether they do. */
    public boolean await(Predicate<List<byte[]>> done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(seen) && System.nanoTime() < deadline) poll();
        return done.test(seen);
    }

    /** Every value seen so far, in the order read. */
    public List<byte[]> seen() {
        return seen;
    }

    @Override
    public void close() {
        consumer.close();
    }
}

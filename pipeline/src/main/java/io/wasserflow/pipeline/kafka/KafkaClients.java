package io.wasserflow.pipeline.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The project's Kafka clients, each with its settings in one place: producers of String keys and
 * Avro bytes, consumers of bytes that belong to no group (they are assigned partitions and never
 * commit), admins; and the topics' one setting, the record limit. Reading a topic from its start
 * to where it ends now is {@link #readToEnd}.
 */
public final class KafkaClients {
    private KafkaClients() {}

    /** Largest record: Kafka's default of 1 MB would refuse 64 float32 28x28 images; topics are created with this limit. */
    public static final int MAX_RECORD_BYTES = 16 << 20;
    /** A request carries one record of the limit and its headers. */
    private static final int MAX_REQUEST_BYTES = MAX_RECORD_BYTES + (1 << 16);

    /**
     * A producer that is idempotent with acks=all (a retried send is neither lost, nor duplicated,
     * nor reordered), takes records up to the limit and batches what is sent within 5 ms.
     */
    public static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(MAX_REQUEST_BYTES));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** A consumer of keys and values as bytes, in no group; asking it about a topic never creates the topic. */
    public static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Where a consumer of a whole topic starts. */
    public enum From {
        /** The oldest record the topic holds. */
        START,
        /** The end as of now: only records written from now on. */
        END
    }

    /**
     * A consumer assigned every partition of a topic that exists, at its start or its end (that
     * position fixed now, before anything more is written); empty when the topic does not exist.
     */
    public static Optional<KafkaConsumer<byte[], byte[]>> consumer(String bootstrap, String topic, From from) {
        KafkaConsumer<byte[], byte[]> c = consumer(bootstrap);
        try {
            List<TopicPartition> parts = partitions(c, topic);
            if (parts.isEmpty()) {
                c.close();
                return Optional.empty();
            }
            c.assign(parts);
            if (from == From.START) c.seekToBeginning(parts);
            else c.seekToEnd(parts);
            parts.forEach(c::position); // a lazy seek would move to wherever the end is at the first poll
            return Optional.of(c);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    public static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    /** An admin whose requests give up after {@code request} and whose calls give up after {@code call} (not less than request). */
    public static Admin admin(String bootstrap, Duration request, Duration call) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(request.toMillis()),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(call.toMillis())));
    }

    /** Creates the topic with one partition (the order a job reads), the broker's default replication and the record limit, unless it exists. */
    public static void ensureTopic(String bootstrap, String topic) throws InterruptedException, ExecutionException {
        NewTopic t = new NewTopic(topic, Optional.of(1), Optional.empty())
                .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(MAX_RECORD_BYTES)));
        try (Admin admin = admin(bootstrap)) {
            admin.createTopics(List.of(t)).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) throw e;
        }
    }

    /** What a reader does with each record; it may fail with a checked exception, which reaches the caller as it is. */
    @FunctionalInterface
    public interface RecordHandler<E extends Exception> {
        void accept(ConsumerRecord<byte[], byte[]> record) throws E;
    }

    /** Hands every record of a topic to handler, partition by partition, from the start to where each ends now; none when the topic does not exist. */
    public static <E extends Exception> void readToEnd(String bootstrap, String topic, RecordHandler<E> handler) throws E {
        try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap)) {
            readToEnd(c, topic, handler);
        }
    }

    /** As {@link #readToEnd(String, String, RecordHandler)}, with a consumer the caller holds (and may read other topics with). */
    public static <E extends Exception> void readToEnd(KafkaConsumer<byte[], byte[]> c, String topic, RecordHandler<E> handler) throws E {
        for (TopicPartition tp : partitions(c, topic)) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end)
                for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL).records(tp)) if (r.offset() < end) handler.accept(r);
        }
    }

    /** How long a reader waits for records that it knows are there. */
    private static final Duration POLL = Duration.ofMillis(500);
    /** How long a reader waits for a topic's partitions (the first request may wait for the cluster's metadata). */
    private static final Duration METADATA = Duration.ofSeconds(30);

    /** The topic's partitions, none when it does not exist. */
    private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> c, String topic) {
        return c.partitionsFor(topic, METADATA).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
    }
}

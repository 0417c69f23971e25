package io.wasserflow.pipeline.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.pipeline.kafka.KafkaClients;
import io.wasserflow.pipeline.testing.TopicFollower;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real KRaft broker in a child JVM: records survive restarts, and nothing outlives it. */
class LocalKafkaBrokerTest {
    static void produce(String bootstrap, String topic, String... values) throws Exception {
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(bootstrap)) {
            for (String v : values) producer.send(new ProducerRecord<>(topic, "k", v.getBytes(StandardCharsets.UTF_8))).get();
        }
    }

    /** The topic's first records as text, once there are as many as expected (or what came within 30 s). */
    static List<String> consumeAll(String bootstrap, String topic, int expected) {
        try (TopicFollower f = TopicFollower.fromStart(bootstrap, topic)) {
            f.await(seen -> seen.size() >= expected, Duration.ofSeconds(30));
            return f.seen().stream().map(v -> new String(v, StandardCharsets.UTF_8)).toList();
        }
    }

    static final int SCHED_BATCH = 3;

    /** The scheduling policy of each of a process's threads: field 41 of /proc/PID/task/TID/stat (proc(5)). */
    static java.util.Set<Integer> schedulingPolicies(long pid) throws Exception {
        java.util.Set<Integer> policies = new java.util.TreeSet<>();
        try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path t : tasks.toList()) {
                String stat;
                try {
                    stat = Files.readString(t.resolve("stat"));
                } catch (java.io.IOException gone) {
                    continue; // a thread that ended meanwhile
                }
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // fields 3, 4, ...
                policies.add(Integer.parseInt(fields[41 - 3]));
            }
        }
        return policies;
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void recordsSurviveARestartAndAReopenOfTheFolder(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("kafka");
        FileTime formatted;
        long pid;
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(dir, 0)) {
            assertTrue(broker.bootstrap().startsWith("127.0.0.1:"), broker.bootstrap());
            try (Admin admin = KafkaClients.admin(broker.bootstrap())) {
                admin.createTopics(List.of(new NewTopic("t", 1, (short) 1))).all().get();
            }
            produce(broker.bootstrap(), "t", "a", "b");
            String before = broker.bootstrap();

            broker.restart();
            assertEquals(before, broker.bootstrap(), "a restart keeps the ports");
            assertEquals(List.of("a", "b"), consumeAll(broker.bootstrap(), "t", 2));
            produce(broker.bootstrap(), "t", "c");
            formatted = Files.getLastModifiedTime(dir.resolve("format.log"));
            pid = broker.pid();
            assertTrue(alive(pid));
            if (ChildJvm.BATCH_SCHEDULING.isPresent()) // Linux: every thread of the broker yields to training at wakeup
                assertEquals(java.util.Set.of(SCHED_BATCH), schedulingPolicies(pid), "scheduling policies of the broker's threads");
        }
        assertFalse(alive(pid), "close() stops the child JVM");
        assertTrue(Files.exists(dir.resolve("data").resolve("meta.properties")), "a given folder is kept");
        assertTrue(Files.readString(dir.resolve("broker.log")).contains("Kafka Server started"), "the broker logs at INFO to broker.log");

        // `replay` starts a new broker on a working folder's log: no second format, every record there.
        try (LocalKafkaBroker again = LocalKafkaBroker.start(dir, 0)) {
            assertEquals(formatted, Files.getLastModifiedTime(dir.resolve("format.log")), "an existing log is not formatted again");
            assertEquals(List.of("a", "b", "c"), consumeAll(again.bootstrap(), "t", 3));
        }
    }

    @Test
    void aBrokerWhoseParentDiesStopsItselfAndATemporaryOneLeavesNothing() throws Exception {
        LocalKafkaBroker broker = LocalKafkaBroker.start();
        Path dir = broker.directory();
        assertTrue(broker.isRunning());
        ProcessHandle child = ProcessHandle.of(broker.pid()).orElseThrow();
        // What the child sees when this JVM dies, even by SIGKILL: its stdin closes.
        broker.childStdin().close();
        child.onExit().get(30, TimeUnit.SECONDS);
        assertFalse(broker.isRunning());
        broker.close();
        assertFalse(Files.exists(dir), "a temporary broker deletes its folder");
    }

    @Test
    void theChildsClassPathNamesTheSameFilesFromItsOwnFolder() {
        String cwd = Path.of("").toAbsolutePath().toString();
        assertEquals(cwd + "/pipeline/target/wasserflow.jar", ChildJvm.absolute("pipeline/target/wasserflow.jar"), "java -jar with a relative path");
        assertEquals(cwd + "/a.jar:/opt/b.jar:" + cwd + ":" + cwd + "/classes", ChildJvm.absolute("a.jar:/opt/b.jar::classes"));
    }

    @Test
    void badPortsAreRefusedByName() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LocalKafkaBroker.start(null, taken.getLocalPort()));
            assertEquals("broker port " + taken.getLocalPort() + " on 127.0.0.1 is in use (choose another, or 0 for any free port)", e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LocalKafkaBroker.start(null, 70000)).getMessage().contains("70000"));
    }

    @Test
    void theLogTailPrefersTheLastError(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("broker.log");
        Files.write(log, List.of("[t] INFO starting (kafka.Kafka)", "[t] ERROR Exiting Kafka due to fatal exception (kafka.Kafka)",
                "java.net.BindException: Address already in use", "[t] INFO shut down (kafka.Kafka)"));
        assertEquals("[t] ERROR Exiting Kafka due to fatal exception (kafka.Kafka): java.net.BindException: Address already in use (log: " + log + ")", LocalKafkaBroker.tail(log));
    }
}

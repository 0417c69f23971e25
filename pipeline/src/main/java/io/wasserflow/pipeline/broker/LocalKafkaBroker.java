package io.wasserflow.pipeline.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real Kafka broker (KRaft, broker and controller in one process) in a child JVM started from
 * this JVM's classpath, which holds Kafka's server jars. Its log directory is kept when a folder
 * is given (so `replay` can restart it on the same data) and deleted on close when it is a
 * temporary one. Topics are kept forever: runs are replayed from them.
 */
public final class LocalKafkaBroker implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    private final Path dir;
    private final boolean temporary;
    private final int port, controllerPort;
    private Process process;
    private final Thread reaper = new Thread(this::kill, "wasserflow-broker-reaper");

    private LocalKafkaBroker(Path dir, boolean temporary, int port, int controllerPort) {
        this.dir = dir;
        this.temporary = temporary;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /** Starts a broker in a temporary folder on free ports. */
    public static LocalKafkaBroker start() throws IOException {
        return start(Files.createTempDirectory("wasserflow-kafka"), true, 0);
    }

    /** Starts (or restarts, when the folder holds formatted data) a broker keeping its data in dir. */
    public static LocalKafkaBroker start(Path dir, int port) throws IOException {
        return start(dir, false, port);
    }

    private static LocalKafkaBroker start(Path dir, boolean temporary, int port) throws IOException {
        Files.createDirectories(dir);
        int p = port > 0 ? port : freePort();
        LocalKafkaBroker b = new LocalKafkaBroker(dir, temporary, p, freePort());
        Runtime.getRuntime().addShutdownHook(b.reaper);
        b.launch();
        return b;
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    public Path directory() {
        return dir;
    }

    /** Stops the broker and starts it again on the same data and ports. */
    public void restart() throws IOException {
        stop();
        launch();
    }

    private void launch() throws IOException {
        Path config = dir.resolve("server.properties");
        writeConfig(config);
        Path data = dir.resolve("data");
        if (!Files.exists(data.resolve("meta.properties"))) {
            run(List.of("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()), dir.resolve("format.log"));
        }
        List<String> cmd = javaCommand();
        cmd.add("kafka.Kafka");
        cmd.add(config.toString());
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.log").toFile())).start();
        awaitReady();
    }

    private void writeConfig(Path config) throws IOException {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", dir.resolve("data").toString());
        p.setProperty("num.partitions", "1");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("log.retention.hours", "-1");
        p.setProperty("log.retention.bytes", "-1");
        p.setProperty("auto.create.topics.enable", "true");
        try (var out = Files.newBufferedWriter(config)) {
            p.store(out, "Wasserflow local broker (KRaft)");
        }
    }

    private static List<String> javaCommand() {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-Xmx512m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        return cmd;
    }

    private static void run(List<String> args, Path log) throws IOException {
        List<String> cmd = javaCommand();
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("formatting the broker's storage failed: " + tail(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while formatting the broker's storage");
        }
    }

    private void awaitReady() throws IOException {
        Properties props = new Properties();
        props.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        props.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(props)) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) throw new IOException("the Kafka broker exited: " + tail(dir.resolve("broker.log")));
                try {
                    admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
                    return;
                } catch (Exception notYet) {
                    Thread.sleep(250);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        kill();
        throw new IOException("the Kafka broker did not answer on " + bootstrap() + " within " + READY_TIMEOUT.toSeconds() + " s: " + tail(dir.resolve("broker.log")));
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private void stop() {
        if (process == null) return;
        process.destroy(); // SIGTERM: the broker shuts down cleanly and keeps its data
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        process = null;
    }

    private void kill() {
        Process p = process;
        if (p != null) p.destroyForcibly();
    }

    @Override public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
        if (temporary) deleteTree(dir);
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}

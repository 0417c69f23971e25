package io.wasserflow.pipeline.broker;

import io.wasserflow.pipeline.kafka.KafkaClients;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;

/**
 * A real Kafka broker (KRaft, broker and controller in one process, node 1) in a child JVM started
 * from this JVM's classpath, which holds Kafka's server jars. Its folder holds server.properties,
 * the data (data/) and the broker's log (broker.log); the folder is kept when one is given (so
 * `replay` can start a broker on the same data again) and deleted on close when it is a temporary
 * one. Topics are kept forever: runs are replayed from them.
 *
 * <p>No child outlives this JVM: close() stops it, a shutdown hook stops it on exit, and the child
 * stops itself when this JVM dies without running its hooks ({@link BrokerMain}).
 */
public final class LocalKafkaBroker implements AutoCloseable {
    static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    /** The listeners bind 127.0.0.1 (not ::1), so ports are checked there. */
    private static final InetAddress LOOPBACK = loopback4();

    private final Path dir;
    private final boolean temporary;
    private final int port, controllerPort;
    private Process process;
    private final Thread reaper = new Thread(this::stopOnExit, "wasserflow-broker-reaper");

    private LocalKafkaBroker(Path dir, boolean temporary, int port, int controllerPort) {
        this.dir = dir;
        this.temporary = temporary;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /** Starts a broker in a temporary folder (deleted on close) on free ports. */
    public static LocalKafkaBroker start() throws IOException {
        return start(null, 0);
    }

    /**
     * Starts a broker keeping its data in dir, or in a temporary folder deleted on close when dir
     * is null; on port, or a free one when port is 0. A folder that already holds a formatted log
     * is started as it is: its topics and records are all there.
     */
    public static LocalKafkaBroker start(Path dir, int port) throws IOException {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("broker port must be 0 (any free port) or 1-65535, got " + port);
        if (port > 0 && !isFree(port)) throw new IllegalArgumentException("broker port " + port + " on 127.0.0.1 is in use (choose another, or 0 for any free port)");
        boolean temporary = dir == null;
        Path folder = temporary ? Files.createTempDirectory("wasserflow-kafka") : dir.toAbsolutePath();
        if (!temporary && Files.exists(folder) && !Files.isDirectory(folder))
            throw new IllegalArgumentException("broker folder " + folder + " is a file, not a folder");
        Files.createDirectories(folder);
        int p = port > 0 ? port : freePort(), controller;
        do controller = freePort(); while (controller == p);
        LocalKafkaBroker b = new LocalKafkaBroker(folder, temporary, p, controller);
        Runtime.getRuntime().addShutdownHook(b.reaper);
        try {
            b.launch();
        } catch (IOException | RuntimeException e) {
            b.close(); // no hook, process or temporary folder left behind by a failed start
            throw e;
        }
        return b;
    }

    /** "127.0.0.1:PORT", for bootstrap.servers. */
    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** The broker's folder: server.properties, data/, broker.log. */
    public Path directory() {
        return dir;
    }

    public Path logFile() {
        return dir.resolve("broker.log");
    }

    /** For tests: the child's stdin, whose closing stands for this JVM's death (see BrokerMain). */
    synchronized java.io.OutputStream childStdin() {
        return process.getOutputStream();
    }

    /** The child JVM's process id, or -1 when it is stopped. */
    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops the broker (cleanly, keeping its data) and starts it again on the same data and ports. */
    public synchronized void restart() throws IOException {
        stop();
        launch();
    }

    private synchronized void launch() throws IOException {
        Path config = dir.resolve("server.properties");
        ServerProperties.write(config, dir.resolve("data"), port, controllerPort);
        ChildJvm.writeLogConfig(logConfig(), "[%d] %p %m (%c)%n", "kafka.request.logger", "org.apache.kafka.clients");
        // A formatted log directory holds meta.properties; formatting it again would be refused.
        if (!Files.exists(dir.resolve("data").resolve("meta.properties")))
            format(config);
        List<String> cmd = javaCommand();
        cmd.add(BrokerMain.class.getName());
        cmd.add(config.toString());
        // stdin stays a pipe the child watches: it closes when this JVM dies (see BrokerMain).
        process = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile())).start();
        awaitReady();
    }

    /** The broker logs at INFO to broker.log (its stdout), whatever log4j2.xml the parent's classpath carries. */
    private Path logConfig() {
        return dir.resolve("log4j2-broker.xml");
    }

    private List<String> javaCommand() {
        List<String> cmd = new ArrayList<>();
        // In a session of its own: a terminal's Ctrl-C goes to its whole foreground process group, and must stop the run
        // (which drains into the broker, then stops it), not kill the broker under the draining job. This JVM's death
        // still stops it (BrokerMain watches its stdin). setsid execs, so the broker keeps the pid this JVM knows.
        ChildJvm.OWN_SESSION.ifPresent(setsid -> cmd.add(setsid.toString()));
        // The broker shares the machine with training and serves it a few requests a second. Under SCHED_BATCH it keeps
        // its full fair share of CPU (unlike a nice value, which starved it beside spinning BLAS threads in a CI run), but
        // its wakeups wait for the running thread's time slice instead of preempting the trainer's threads mid-step.
        // Paired blocks of a bare trainer beside an idle job: a running broker cost the trainer 5.6-6.7% at normal
        // scheduling, 2.8% under SCHED_BATCH (median of about 80 pairs each).
        ChildJvm.BATCH_SCHEDULING.ifPresent(chrt -> cmd.addAll(List.of(chrt.toString(), "--batch", "0")));
        cmd.addAll(ChildJvm.command(List.of("-Xmx512m",
                "-XX:-UsePerfData"), // no sampling thread waking 20 times a second (jps does not list it; jcmd PID still works)
                logConfig()));
        return cmd;
    }

    private void format(Path config) throws IOException {
        Path log = dir.resolve("format.log");
        List<String> cmd = javaCommand();
        cmd.addAll(List.of("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("formatting the Kafka broker's storage in " + dir + " took over 60 s: " + tail(log));
            }
            if (p.exitValue() != 0) throw new IOException("formatting the Kafka broker's storage in " + dir + " failed: " + tail(log));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while formatting the Kafka broker's storage");
        }
    }

    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = KafkaClients.admin(bootstrap(), Duration.ofSeconds(2), Duration.ofSeconds(3))) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive())
                    throw new IOException("the Kafka broker exited with code " + process.exitValue() + " while starting: " + tail(logFile()));
                try {
                    admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
                    return;
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException notYet) {
                    Thread.sleep(200);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the Kafka broker on " + bootstrap());
        }
        throw new IOException("the Kafka broker did not answer on " + bootstrap() + " within " + READY_TIMEOUT.toSeconds() + " s: " + tail(logFile()));
    }

    /** One line for an error message: the log's last ERROR line if it has one, else its last lines. */
    static String tail(Path log) {
        List<String> lines;
        try {
            lines = Files.readAllLines(log);
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
        String where = " (log: " + log + ")";
        for (int i = lines.size() - 1; i >= 0; i--)
            if (lines.get(i).contains(" ERROR ") || lines.get(i).startsWith("ERROR")) {
                // The cause is usually the next line, the exception's own: "java.net.BindException: Address already in use".
                String next = i + 1 < lines.size() ? lines.get(i + 1) : "";
                boolean cause = !next.isBlank() && !next.startsWith("[") && !Character.isWhitespace(next.charAt(0));
                return lines.get(i).strip() + (cause ? ": " + next.strip() : "") + where;
            }
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size())).strip() + where;
    }

    /** SIGTERM (the broker shuts down cleanly and keeps its data), then SIGKILL after the timeout. */
    private synchronized void stop(Duration timeout) {
        Process p = process;
        process = null;
        if (p == null || !p.isAlive()) return;
        p.destroy();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void stop() {
        stop(STOP_TIMEOUT);
    }

    /** The JVM is exiting without close() (a failed test, Ctrl-C): stop the broker more briskly, drop a temporary folder. */
    private void stopOnExit() {
        stop(Duration.ofSeconds(10));
        if (temporary) {
            try {
                deleteTree(dir);
            } catch (UncheckedIOException e) {
                // exiting anyway: a leftover temporary folder is no reason to fail the exit
            }
        }
    }

    /** Stops the broker; deletes its folder when it is a temporary one. Idempotent. */
    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is exiting: the hook runs or has run
        }
        if (temporary) deleteTree(dir);
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) return;
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the broker's temporary folder " + root, e);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 50, LOOPBACK)) {
            return s.getLocalPort();
        }
    }

    private static InetAddress loopback4() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (java.net.UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 50, LOOPBACK)) {
            return true;
        } catch (IOException inUse) {
            return false;
        }
    }
}

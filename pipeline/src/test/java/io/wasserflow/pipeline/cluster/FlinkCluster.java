package io.wasserflow.pipeline.cluster;

import io.wasserflow.pipeline.broker.ChildJvm;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint;
import org.apache.flink.runtime.taskexecutor.TaskManagerRunner;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A standalone Flink session cluster on this machine: a JobManager and TaskManagers, each a child
 * JVM started from this JVM's classpath (flink-dist is not published to Maven, but its jars are
 * all on the test classpath, together with the job's classes and ND4J's native libraries, so jobs
 * are submitted without a jar). Its folder holds config.yaml, each process's log, Flink's
 * temporary files and the checkpoints. Short heartbeats, so a killed TaskManager is noticed within
 * seconds; checkpoints every second; a fixed-delay restart strategy.
 *
 * <p>No child outlives this JVM: close() stops them, a shutdown hook stops them on exit, and each
 * child stops itself when this JVM dies without running its hooks ({@link ChildMain}).
 */
final class FlinkCluster implements AutoCloseable {
    static final Duration READY_TIMEOUT = Duration.ofSeconds(120), CHECKPOINT_INTERVAL = Duration.ofSeconds(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Without Flink's scripts (which derive them from one process size) the TaskManager needs each
     * memory component set; sized for small jobs. Its JVM flags follow them as the scripts would:
     * heap = framework + task heap, direct = framework + task off-heap + network.
     */
    private static final Map<String, String> TASK_MANAGER_MEMORY = Map.of(
            "taskmanager.memory.framework.heap.size", "128m", "taskmanager.memory.task.heap.size", "512m",
            "taskmanager.memory.framework.off-heap.size", "128m", "taskmanager.memory.task.off-heap.size", "64m",
            "taskmanager.memory.network.min", "64m", "taskmanager.memory.network.max", "64m",
            "taskmanager.memory.managed.size", "64m", "taskmanager.memory.jvm-metaspace.size", "256m",
            "taskmanager.memory.jvm-overhead.min", "192m", "taskmanager.memory.jvm-overhead.max", "192m");
    private static final List<String> TASK_MANAGER_JVM = List.of("-Xmx640m", "-XX:MaxDirectMemorySize=256m", "-XX:MaxMetaspaceSize=256m");
    private static final List<String> JOB_MANAGER_JVM = List.of("-Xmx512m");

    private final Path dir;
    private final int restPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Process> children = new CopyOnWriteArrayList<>();
    private Process jobManager;
    /** The TaskManagers started and not killed, oldest first, by name. */
    private final NavigableMap<String, Process> taskManagers = new ConcurrentSkipListMap<>(
            java.util.Comparator.comparingInt((String n) -> Integer.parseInt(n.substring(n.lastIndexOf('-') + 1))));
    private int taskManagersStarted;
    private final List<String> replacements = new CopyOnWriteArrayList<>();
    private final Thread reaper = new Thread(this::close, "wasserflow-flink-reaper");

    private FlinkCluster(Path dir, int restPort) {
        this.dir = dir;
        this.restPort = restPort;
    }

    /**
     * Launches a JobManager and one TaskManager with this many slots, in dir, and returns at once
     * (so other processes can start meanwhile); {@link #awaitReady()} before submitting a job.
     */
    static FlinkCluster start(Path dir, int slots) throws IOException {
        return start(dir, slots, 1);
    }

    /** As above, with this many TaskManager processes of {@code slots} slots each. */
    static FlinkCluster start(Path dir, int slots, int taskManagerCount) throws IOException {
        Files.createDirectories(dir);
        FlinkCluster c = new FlinkCluster(dir.toAbsolutePath(), freePort());
        Runtime.getRuntime().addShutdownHook(c.reaper);
        try {
            c.writeConfig(slots);
            // Both at once, as Flink's start-cluster.sh does: the TaskManager retries until the JobManager answers.
            c.jobManager = c.launch("jobmanager", JOB_MANAGER_JVM, StandaloneSessionClusterEntrypoint.class.getName());
            for (int i = 0; i < taskManagerCount; i++) c.launchTaskManager();
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Waits until the JobManager lists every TaskManager started. */
    void awaitReady() throws IOException {
        awaitTaskManagers(Set.of(), taskManagers.size());
    }

    private String launchTaskManager() throws IOException {
        String name = "taskmanager-" + ++taskManagersStarted;
        taskManagers.put(name, launch(name, TASK_MANAGER_JVM, TaskManagerRunner.class.getName()));
        return name;
    }

    private void writeConfig(int slots) throws IOException {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("jobmanager.rpc.address", "127.0.0.1");
        c.put("jobmanager.rpc.port", String.valueOf(freePort()));
        c.put("jobmanager.bind-host", "127.0.0.1");
        c.put("rest.address", "127.0.0.1");
        c.put("rest.bind-address", "127.0.0.1");
        c.put("rest.port", String.valueOf(restPort));
        c.put("taskmanager.host", "127.0.0.1");
        c.put("taskmanager.bind-host", "127.0.0.1");
        c.put("taskmanager.numberOfTaskSlots", String.valueOf(slots));
        c.put("taskmanager.cpu.cores", String.valueOf(slots));
        c.putAll(TASK_MANAGER_MEMORY);
        // Few records in flight (the smallest segments, debloated to a second's throughput): a checkpoint's barrier
        // reaches the trainers in about a second (measured: end to end p50 0.7 s) instead of queueing behind 3-4 s of training.
        c.put("taskmanager.memory.segment-size", "4kb");
        c.put("taskmanager.network.memory.max-buffers-per-channel", "2");
        c.put("taskmanager.network.memory.buffer-debloat.enabled", "true");
        // A killed TaskManager is declared lost within seconds (two failed heartbeat RPCs, or 5 s), not after Flink's default 50 s.
        c.put("heartbeat.interval", "1 s");
        c.put("heartbeat.timeout", "5 s");
        c.put("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
        c.put("restart-strategy.type", "fixed-delay");
        c.put("restart-strategy.fixed-delay.attempts", "10");
        c.put("restart-strategy.fixed-delay.delay", "1 s");
        c.put("io.tmp.dirs", dir.resolve("tmp").toString());
        c.put("web.tmpdir", dir.resolve("web").toString());
        c.put("blob.storage.directory", dir.resolve("blobs").toString());
        StringBuilder yaml = new StringBuilder("# written by FlinkCluster (tests)\n");
        c.forEach((k, v) -> yaml.append(k).append(": \"").append(v).append("\"\n"));
        Files.writeString(dir.resolve("config.yaml"), yaml);
        ChildJvm.writeLogConfig(dir.resolve("log4j2-cluster.xml"), "%d{HH:mm:ss.SSS} %-5p %c{1} - %m%n", "org.apache.kafka");
    }

    /** Starts a child JVM running mainClass with --configDir, its output (and Flink's log) to NAME.log. */
    private Process launch(String name, List<String> jvm, String mainClass) throws IOException {
        List<String> flags = new ArrayList<>(jvm);
        // Flink on Java 17 needs the opens this JVM was given (the pom's flink.add.opens, surefire's argLine).
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) if (a.startsWith("--add-")) flags.add(a);
        List<String> cmd = ChildJvm.command(flags, dir.resolve("log4j2-cluster.xml"));
        cmd.addAll(List.of(ChildMain.class.getName(), mainClass, "--configDir", dir.toString()));
        // stdin stays a pipe the child watches: it closes when this JVM dies (see ChildMain).
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile())).start();
        children.add(p);
        return p;
    }

    /** Starts a fresh TaskManager and waits until the JobManager lists it; returns its process id. */
    long startTaskManager() throws IOException {
        Set<String> before = taskManagerIds();
        String name = launchTaskManager();
        awaitTaskManagers(before, 1);
        return taskManagers.get(name).pid();
    }

    private Set<String> taskManagerIds() throws IOException {
        Set<String> ids = new HashSet<>();
        for (JsonNode tm : rest("/taskmanagers").path("taskmanagers")) ids.add(tm.path("id").asText());
        return ids;
    }

    /** Waits for the JobManager's REST API, then for it to list {@code count} TaskManagers not among those before. */
    private void awaitTaskManagers(Set<String> before, int count) throws IOException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        int replaced = replacements.size();
        while (System.nanoTime() < deadline) {
            supervise();
            try {
                Set<String> fresh = taskManagerIds();
                fresh.removeAll(before);
                // a replacement started meanwhile registers too, in place of one that was listed
                if (fresh.size() >= count + replacements.size() - replaced) return;
            } catch (IOException restNotUpYet) {
                // the JobManager is still starting
            }
            sleep(200);
        }
        throw new IOException(taskManagers.keySet() + ": " + count + " did not register within " + READY_TIMEOUT.toSeconds() + " s: "
                + tail(taskManagers.isEmpty() ? "jobmanager" : taskManagers.lastKey()) + "\n" + tail("jobmanager"));
    }

    /**
     * Does what a cluster manager does for a TaskManager that ended on its own: starts another in its
     * place (the job restarts on it from its last checkpoint), and says so in {@link #replacements()}.
     * Only for Flink's own fatal exits, whose cause has no frame of ours: Flink 2.2 ends a TaskManager
     * when a failing task's clean-up throws, and a failover can make its runtime's clean-up race. A
     * TaskManager that dies of our code, or without a fatal error in its log, fails the caller at once
     * with the cause; so does the JobManager's exit.
     */
    void supervise() throws IOException {
        if (!jobManager.isAlive()) throw new IOException("the JobManager exited with code " + jobManager.exitValue() + ": " + tail("jobmanager"));
        for (Map.Entry<String, Process> tm : taskManagers.entrySet()) {
            if (tm.getValue().isAlive()) continue;
            String name = tm.getKey(), log = tail(name);
            List<String> cause = fatalCause(name);
            if (cause.isEmpty() || cause.stream().anyMatch(l -> l.contains("io.wasserflow.")))
                throw new IOException(name + " exited with code " + tm.getValue().exitValue() + ": " + log);
            taskManagers.remove(name);
            String fresh = launchTaskManager();
            replacements.add(name + " exited with code " + tm.getValue().exitValue() + " after a fatal error in Flink (" + cause.get(0).strip()
                    + (cause.size() > 1 ? " " + cause.get(1).strip() : "") + "); " + fresh + " started in its place");
        }
    }

    /** What {@link #supervise()} replaced, and why, oldest first. */
    List<String> replacements() {
        return List.copyOf(replacements);
    }

    /** The cause logged with a TaskManager's first fatal error: its exception and frames (those after the message line); empty if none. */
    private List<String> fatalCause(String name) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve(name + ".log"));
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).contains(" ERROR ") || !lines.get(i).contains("FATAL")) continue;
                List<String> cause = new ArrayList<>();
                for (int j = i + 1; j < lines.size() && isStackLine(lines.get(j)); j++) cause.add(lines.get(j));
                return cause;
            }
            return List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * kill -9 of the oldest TaskManager still running (Process.destroyForcibly is SIGKILL on Linux);
     * returns its exit code, 137 for SIGKILL.
     */
    int killTaskManager() throws InterruptedException {
        Map.Entry<String, Process> oldest = taskManagers.firstEntry();
        taskManagers.remove(oldest.getKey());
        oldest.getValue().destroyForcibly();
        return oldest.getValue().waitFor();
    }

    /** GET of the REST API, as JSON; an IOException for anything but 200. */
    JsonNode rest(String path) throws IOException {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + restPort + path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) throw new IOException("GET " + path + ": HTTP " + r.statusCode() + " " + r.body());
            return JSON.readTree(r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted during GET " + path, e);
        }
    }

    /** A job's checkpoint statistics (counts, summary, latest completed and restored), also after it ended. */
    JsonNode checkpoints(JobID job) throws IOException {
        return rest("/jobs/" + job + "/checkpoints");
    }

    /** The running subtasks of a job's vertex whose name starts with {@code prefix}, counted by TaskManager id. */
    Map<String, Integer> runningSubtasks(JobID job, String prefix) throws IOException {
        Map<String, Integer> out = new java.util.TreeMap<>();
        for (JsonNode v : rest("/jobs/" + job).path("vertices")) {
            if (!v.path("name").asText().startsWith(prefix)) continue;
            for (JsonNode tm : rest("/jobs/" + job + "/vertices/" + v.path("id").asText() + "/taskmanagers").path("taskmanagers")) {
                int running = tm.path("status-counts").path("RUNNING").asInt();
                if (running > 0) out.merge(tm.path("taskmanager-id").asText(), running, Integer::sum);
            }
        }
        return out;
    }

    static long completedCheckpoints(JsonNode checkpoints) {
        return checkpoints.path("counts").path("completed").asLong();
    }

    /** The id of the checkpoint a job last restored, -1 when it never restored one. */
    static long restoredCheckpoint(JsonNode checkpoints) {
        return checkpoints.path("latest").path("restored").path("id").asLong(-1);
    }

    /** Counts and end-to-end durations of a job's checkpoints, in a line. */
    static String summary(JsonNode checkpoints) {
        JsonNode d = checkpoints.path("summary").path("end_to_end_duration");
        return String.format(Locale.ROOT, "%d checkpoints (end to end p50 %d ms, max %d ms), %d restores", completedCheckpoints(checkpoints),
                d.path("p50").asLong(), d.path("max").asLong(), checkpoints.path("counts").path("restored").asLong());
    }

    /** The remote environment of this cluster, checkpointing every second. */
    StreamExecutionEnvironment environment(int parallelism) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createRemoteEnvironment("127.0.0.1", restPort, new Configuration());
        env.setParallelism(parallelism);
        env.enableCheckpointing(CHECKPOINT_INTERVAL.toMillis());
        return env;
    }

    /** The last lines of a child's log, for error messages. */
    String tail(String name) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve(name + ".log"));
            // the first errors say why a process died (a fatal exit ends with a thread dump, not the cause),
            // the first with its stack trace and causes
            List<String> errors = new ArrayList<>();
            for (int i = 0, shown = 0; i < lines.size() && shown < 5; i++) {
                if (!lines.get(i).contains(" ERROR ")) continue;
                errors.add(lines.get(i));
                if (shown++ == 0)
                    for (int j = i + 1; j < lines.size() && j <= i + 60 && isStackLine(lines.get(j)); j++) errors.add(lines.get(j));
            }
            return (errors.isEmpty() ? "" : "first errors:\n" + String.join("\n", errors) + "\nlast lines:\n")
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log " + name + ".log)";
        }
    }

    /** A line of a logged exception after its message (a frame, a cause, a continuation): any line not opening with a time. */
    private static boolean isStackLine(String line) {
        return !line.matches("^\\d\\d:\\d\\d:\\d\\d\\.\\d+ .*");
    }

    /** Stops every child: SIGTERM, then SIGKILL after 10 s. Idempotent; the folder is the caller's. */
    @Override
    public void close() {
        List<Process> running = List.copyOf(children);
        children.clear();
        for (Process p : running) p.destroy();
        for (Process p : running) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        if (Thread.currentThread() != reaper) {
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting: the hook runs or has run
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void sleep(long ms) throws IOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}

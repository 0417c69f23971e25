package io.wasserflow.pipeline.broker;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The command of a child JVM on this JVM's class path (Kafka's server jars are on it, and Flink's
 * in the tests), logging to its stdout through a log4j2 config of its own; and the util-linux
 * commands that start such a child in a session of its own or under a scheduling policy.
 */
public final class ChildJvm {
    private ChildJvm() {}

    /** util-linux's chrt, which starts a command under a scheduling policy (Linux only; absent elsewhere). */
    public static final Optional<Path> BATCH_SCHEDULING = utilLinux("chrt");
    /** util-linux's setsid, which starts a command in a session of its own (Linux only; absent elsewhere). */
    public static final Optional<Path> OWN_SESSION = utilLinux("setsid");

    /**
     * {@code java FLAGS -XX:+UseSerialGC -Djava.awt.headless=true -Dlog4j2.configurationFile=LOG -cp CLASSPATH}, this
     * JVM's java and class path, to which the caller adds the main class and its arguments.
     */
    public static List<String> command(List<String> flags, Path logConfig) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(flags);
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Djava.awt.headless=true");
        cmd.add("-Dlog4j2.configurationFile=" + logConfig);
        cmd.add("-cp");
        cmd.add(absolute(System.getProperty("java.class.path")));
        return cmd;
    }

    /**
     * A log4j2 config that logs at INFO to stdout in this pattern, the named loggers at WARN only:
     * what the child logs, whatever log4j2.xml the class path carries.
     */
    public static void writeLogConfig(Path file, String pattern, String... quietLoggers) throws IOException {
        String loggers = Stream.of(quietLoggers).map(name -> "    <Logger name=\"" + name + "\" level=\"WARN\"/>\n").collect(Collectors.joining());
        Files.writeString(file, """
                <?xml version="1.0" encoding="UTF-8"?>
                <Configuration status="WARN">
                  <Appenders>
                    <Console name="out" target="SYSTEM_OUT"><PatternLayout pattern="%s"/></Console>
                  </Appenders>
                  <Loggers>
                %s    <Root level="INFO"><AppenderRef ref="out"/></Root>
                  </Loggers>
                </Configuration>
                """.formatted(pattern, loggers));
    }

    /**
     * A class path with each entry made absolute: the child runs in a folder of its own, where a
     * relative entry (as {@code java -jar pipeline/target/wasserflow.jar} gives) names nothing.
     */
    static String absolute(String classPath) {
        return Stream.of(classPath.split(File.pathSeparator, -1)) // an empty entry is the working folder, as for java itself
                .map(e -> Path.of(e).toAbsolutePath().toString()).collect(Collectors.joining(File.pathSeparator));
    }

    /** A util-linux command at its fixed path, so a child's command does not depend on the caller's PATH. */
    private static Optional<Path> utilLinux(String name) {
        return Stream.of("/usr/bin/" + name, "/bin/" + name).map(Path::of).filter(Files::isExecutable).findFirst();
    }
}

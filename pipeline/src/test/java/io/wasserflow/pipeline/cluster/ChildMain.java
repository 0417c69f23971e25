package io.wasserflow.pipeline.cluster;

import java.io.IOException;
import java.util.Arrays;

/**
 * A cluster child JVM's entry point: {@code ChildMain <main class> <args...>} runs that class's
 * main, and exits when its stdin reaches end of file. The test JVM holds the write end of that pipe
 * and never writes, so when it dies however it dies (even SIGKILL, where its shutdown hooks never
 * run) no JobManager or TaskManager lives on as an orphan holding its ports.
 */
public final class ChildMain {
    private ChildMain() {}

    public static void main(String[] args) throws Throwable {
        Thread watchdog = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // nothing is ever sent; wait for end of file
                }
            } catch (IOException closed) {
                // same as end of file
            }
            System.exit(0); // runs Flink's shutdown hooks
        }, "wasserflow-parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            Class.forName(args[0]).getMethod("main", String[].class).invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }
}

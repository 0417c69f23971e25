package io.wasserflow.pipeline.broker;

import java.io.IOException;

/**
 * The child JVM's entry point: {@code kafka.Kafka server.properties}, plus a watchdog on stdin.
 * The parent holds the write end of that pipe and never writes; when the parent dies, however it
 * dies (even SIGKILL, where its shutdown hooks never run), the pipe closes and the broker shuts
 * down cleanly instead of living on as an orphan holding its ports and folder.
 */
public final class BrokerMain {
    private BrokerMain() {}

    public static void main(String[] args) {
        Thread watchdog = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // nothing is ever sent; wait for end of file
                }
            } catch (IOException closed) {
                // same as end of file
            }
            System.exit(0); // runs Kafka's own shutdown hook: a clean stop
        }, "wasserflow-parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        kafka.Kafka.main(args);
    }
}

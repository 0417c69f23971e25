package io.wasserflow.pipeline.cli;

import io.wasserflow.pipeline.BadInputException;
import io.wasserflow.pipeline.broker.LocalKafkaBroker;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `wasserflow broker`: a standalone local Kafka broker that runs until interrupted. */
@Command(name = "broker", description = "A standalone local Kafka broker (KRaft) for produce and train; runs until Ctrl-C.")
final class BrokerCommand implements Callable<Integer> {
    @Option(names = "--dir", paramLabel = "DIR", description = "the broker's log folder (kept when it stops)")
    Path dir = Path.of("wasserflow-data/kafka");

    @Option(names = "--port", paramLabel = "P", description = "the port it listens on, 0 for any free one")
    int port = 9092;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) throw new BadInputException("--port must be between 0 and 65535, got " + port);
        System.out.println("broker: starting Kafka (KRaft) with its log in " + dir.toAbsolutePath() + " ...");
        LocalKafkaBroker broker = LocalKafkaBroker.start(dir, port);
        System.out.println("broker: listening on " + broker.bootstrap() + " (Ctrl-C stops it; the data stays in " + dir + ")");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }
}

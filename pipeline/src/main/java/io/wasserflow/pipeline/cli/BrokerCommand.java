package io.wasserflow.pipeline.cli;

import io.wasserflow.pipeline.BadInputException;
import io.wasserflow.pipeline.broker.LocalKafkaBroker;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** `wasserflow broker`: a standalone local Kafka broker that runs until interrupted. */
final class BrokerCommand {
    private BrokerCommand() {}

    static int run(Args args) throws Exception {
        Path dir = Path.of(args.get("dir", "wasserflow-data/kafka"));
        int port = args.getInt("port", 9092);
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

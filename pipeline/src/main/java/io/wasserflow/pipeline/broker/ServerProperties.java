package io.wasserflow.pipeline.broker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The local broker's server.properties: one KRaft node that is broker and controller (node 1), on
 * 127.0.0.1, one partition and one replica everywhere, topics kept forever, and as few threads
 * waking up as one client at a time needs.
 */
final class ServerProperties {
    private ServerProperties() {}

    static void write(Path file, Path dataDir, int port, int controllerPort) throws IOException {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", dataDir.toString());
        // One broker: one partition, one replica, everywhere.
        p.setProperty("num.partitions", "1");
        p.setProperty("default.replication.factor", "1");
        p.setProperty("min.insync.replicas", "1");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        // A consumer group starts at once instead of waiting 3 s for more members.
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        // Kept forever: a run is replayed from the records it read.
        p.setProperty("log.retention.hours", "-1");
        p.setProperty("log.retention.bytes", "-1");
        p.setProperty("auto.create.topics.enable", "true");
        // One client at a time on a machine it shares with training: one network thread and two request handlers
        // instead of 3 and 8, each of which wakes several times a second to poll, taking the trainer's cores.
        p.setProperty("num.network.threads", "1");
        p.setProperty("num.io.threads", "2");
        // The one controller writes no no-op record to its metadata log every 500 ms (each one appended, flushed and
        // replayed by three threads): a lone voter needs no heartbeat in its log to stay leader.
        p.setProperty("metadata.max.idle.interval.ms", "0");
        try (var out = Files.newBufferedWriter(file)) {
            p.store(out, "Wasserflow local broker (KRaft), written on every start");
        }
    }
}

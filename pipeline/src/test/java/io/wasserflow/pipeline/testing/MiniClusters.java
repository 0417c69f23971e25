package io.wasserflow.pipeline.testing;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/**
 * A test class's Flink MiniCluster: one TaskManager with a slot per experiment (a job runs each on
 * a subtask of its own): {@code @RegisterExtension static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(2);}.
 */
public final class MiniClusters {
    private MiniClusters() {}

    public static MiniClusterExtension withSlots(int slots) {
        return withSlots(slots, new Configuration());
    }

    /** With this cluster configuration too (small network buffers, a metrics reporter). */
    public static MiniClusterExtension withSlots(int slots, Configuration configuration) {
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(slots).setConfiguration(configuration).build());
    }
}

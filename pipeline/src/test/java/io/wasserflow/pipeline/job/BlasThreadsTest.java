package io.wasserflow.pipeline.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/** The run's thread count reaches the training thread's own OpenMP team, and only that thread's; a team alone touches nothing else. */
class BlasThreadsTest {
    @Test
    void theTrainingThreadsOpenMpTeamIsTheRunsThreadsAndOtherThreadsKeepTheirs() throws Exception {
        int master = Nd4j.getEnvironment().maxMasterThreads(), blas = Nd4j.factory().blas().getMaxThreads();
        try {
            int untouched = onOwnThread(() -> {});
            int one = onOwnThread(() -> BlasThreads.fix(1));
            assertEquals(1, one, "a trainer of one thread runs OpenMP teams of one");
            assertEquals(1, Nd4j.getEnvironment().maxMasterThreads());
            assertEquals(1, Nd4j.factory().blas().getMaxThreads());
            // the team size is the thread's own: another thread still has the process default (the cores, unless OMP_NUM_THREADS)
            assertEquals(untouched, onOwnThread(() -> {}));
            assertEquals(2, onOwnThread(() -> BlasThreads.fix(2)));
            // a thread beside the trainers (the quality classifier's) sets its own team and leaves the process's pools alone
            assertEquals(1, onOwnThread(() -> BlasThreads.team(1)));
            assertEquals(2, Nd4j.getEnvironment().maxMasterThreads());
            assertEquals(2, Nd4j.factory().blas().getMaxThreads());
        } finally {
            BlasThreads.fix(master);
            Nd4j.factory().blas().setMaxThreads(blas);
        }
    }

    /** Runs {@code setUp} on a fresh thread and returns that thread's OpenMP team size after it. */
    private static int onOwnThread(Runnable setUp) throws InterruptedException {
        AtomicInteger team = new AtomicInteger();
        Thread t = new Thread(() -> {
            setUp.run();
            team.set(NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads());
        });
        t.start();
        t.join();
        return team.get();
    }
}

package io.wasserflow.pipeline.job;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * The threads a trainer's arithmetic uses, fixed by the run (config {@code trainer.blas_threads})
 * rather than by the slots a job got: libnd4j's own loops (its master threads), OpenBLAS's pool,
 * and the OpenMP teams of the calling thread's parallel regions (oneDNN's and libnd4j's). The first
 * two are per process, shared by every slot of a TaskManager: they are set only when they differ,
 * so the slots that open after the first (while it may be inside a BLAS call) change nothing.
 * OpenMP's team size is per thread, so each training thread sets its own: left alone it is the
 * machine's core count, and two trainers of one thread each on two cores would run a team of two
 * apiece, more OpenMP threads than cores, where libgomp stops spinning and every parallel region
 * wakes a sleeping thread (README, "Sweeps").
 */
public final class BlasThreads {
    private BlasThreads() {}

    /** Fixes the threads for the process and for the calling thread, the one that will train. */
    public static synchronized void fix(int threads) {
        if (Nd4j.getEnvironment().maxMasterThreads() != threads) Nd4j.getEnvironment().setMaxMasterThreads(threads);
        if (Nd4j.factory().blas().getMaxThreads() != threads) Nd4j.factory().blas().setMaxThreads(threads);
        team(threads);
    }

    /**
     * Fixes only the calling thread's OpenMP team: for a thread that computes beside the trainers
     * (the quality classifier's training) without changing the process's pools they share.
     */
    public static void team(int threads) {
        if (Nd4j.getEnvironment().isCPU()) NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
    }
}

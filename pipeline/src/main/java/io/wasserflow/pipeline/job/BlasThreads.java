package io.wasserflow.pipeline.job;

import org.nd4j.linalg.factory.Nd4j;

/**
 * The threads a trainer's arithmetic uses, fixed by the run (config {@code trainer.blas_threads})
 * rather than by the slots a job got: libnd4j's own loops (its master threads) and OpenBLAS's
 * pool. Both are per process, shared by every slot of a TaskManager: they are set only when they
 * differ, so the slots that open after the first (while it may be inside a BLAS call) change nothing.
 */
public final class BlasThreads {
    private BlasThreads() {}

    public static synchronized void fix(int threads) {
        if (Nd4j.getEnvironment().maxMasterThreads() != threads) Nd4j.getEnvironment().setMaxMasterThreads(threads);
        if (Nd4j.factory().blas().getMaxThreads() != threads) Nd4j.factory().blas().setMaxThreads(threads);
    }
}

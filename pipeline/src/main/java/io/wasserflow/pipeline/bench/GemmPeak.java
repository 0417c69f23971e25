package io.wasserflow.pipeline.bench;

import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The best large-matrix sgemm rate this process reaches, the yardstick of the toy step's GFLOP/s:
 * 2048 x 2048 x 2048 through BLAS (Nd4j.gemm: OpenBLAS on the CPU backend) and through libnd4j's
 * matmul op (oneDNN's JIT gemm on the CPU backend).
 */
record GemmPeak(double blas, double matmulOp) {
    static final int N = 2048;

    double best() {
        return Math.max(blas, matmulOp);
    }

    static GemmPeak measure(double secondsEach) {
        INDArray a = Nd4j.rand(DataType.FLOAT, N, N), b = Nd4j.rand(DataType.FLOAT, N, N), c = Nd4j.create(DataType.FLOAT, N, N);
        double blas = rate(() -> Nd4j.gemm(a, b, c, false, false, 1.0, 0.0), secondsEach);
        double op = rate(() -> Nd4j.exec(new Mmul(a, b, c, MMulTranspose.allFalse())), secondsEach);
        return new GemmPeak(blas, op);
    }

    private static double rate(Runnable gemm, double seconds) {
        for (int i = 0; i < 3; i++) gemm.run();
        long start = System.nanoTime(), n = 0;
        while (System.nanoTime() - start < seconds * 1e9) {
            gemm.run();
            n++;
        }
        return 2.0 * N * N * N * n / ((System.nanoTime() - start) / 1e9) / 1e9;
    }
}

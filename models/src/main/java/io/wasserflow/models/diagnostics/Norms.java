package io.wasserflow.models.diagnostics;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Euclidean norms for the per-step diagnostics. ND4J's {@code norm2Number} runs a generic reduction
 * that costs 0.2-0.6 ms on a 512x512 float matrix here, several per step; the backend's BLAS dot
 * (sdot/ddot on the CPU, cuBLAS on a GPU) is 3-5x faster and accumulates no worse.
 */
public final class Norms {
    private Norms() {}

    /** The 2-norm of all entries of {@code x}, any shape. */
    public static double l2(INDArray x) {
        INDArray v = x.isView() || x.ordering() != 'c' ? x.dup('c') : x;
        v = v.reshape(v.length());
        return Math.sqrt(Math.max(0, Nd4j.getBlasWrapper().level1().dot(v.length(), 1.0, v, v)));
    }

    /** How many entries of {@code x} have |x| >= bound, counted on the host like {@link #hostValues}. */
    public static long countAbsAtLeast(INDArray x, double bound) {
        INDArray v = x.isView() || x.data().length() != x.length() ? x.dup() : x;
        if (v.dataType() != DataType.FLOAT) {
            long n = 0;
            for (double d : hostValues(v)) if (Math.abs(d) >= bound) n++;
            return n;
        }
        Nd4j.getAffinityManager().ensureLocation(v, AffinityManager.Location.HOST);
        FloatBuffer f = v.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
        long n = 0;
        for (int i = 0, len = (int) v.length(); i < len; i++) if (Math.abs(f.get(i)) >= bound) n++;
        return n;
    }

    /**
     * The entries of {@code x} on the host, in its buffer's order: one copy, no device kernels. The
     * diagnostics that count entries (histograms, the clip share) loop over these, since ND4J's
     * conditional reductions cost milliseconds per 512x512 matrix here.
     */
    public static double[] hostValues(INDArray x) {
        INDArray v = x.isView() || x.data().length() != x.length() ? x.dup() : x;
        Nd4j.getAffinityManager().ensureLocation(v, AffinityManager.Location.HOST); // a no-op on the CPU
        ByteBuffer bytes = v.data().asNio().order(ByteOrder.nativeOrder()); // a bulk view: asFloat/asDouble copy entry by entry, 10x slower
        double[] d = new double[(int) v.length()];
        if (v.dataType() == DataType.DOUBLE) bytes.asDoubleBuffer().get(d);
        else if (v.dataType() == DataType.FLOAT) {
            FloatBuffer f = bytes.asFloatBuffer();
            for (int i = 0; i < d.length; i++) d[i] = f.get(i);
        } else return v.data().asDouble();
        return d;
    }
}

package io.wasserflow.models.optim;

import io.wasserflow.models.layers.Param;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Per-parameter moment arrays (zero at the start), written and read as raw values. The host loops
 * keep their own copy of a tensor's moments ({@link #host}), which is then the current one until
 * the state is written or read.
 */
final class Moments {
    final List<INDArray> arrays = new ArrayList<>();
    private final float[][] host;

    Moments(List<Param> params) {
        for (Param p : params) arrays.add(p.value.ulike().assign(0));
        host = new float[params.size()][];
    }

    /** Tensor i's moments as the host loops use them, copied from the array the first time. */
    float[] host(int i) {
        if (host[i] == null) host[i] = HostLoops.read(arrays.get(i));
        return host[i];
    }

    /** Tensor i's moments as an array, with the host loops' values in it. */
    INDArray array(int i) {
        if (host[i] != null) {
            HostLoops.write(arrays.get(i), host[i]);
            host[i] = null;
        }
        return arrays.get(i);
    }

    void write(DataOutputStream out) throws IOException {
        for (int i = 0; i < arrays.size(); i++) array(i);
        out.writeInt(arrays.size());
        for (INDArray a : arrays) ArrayIO.write(out, a);
    }

    void read(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n != arrays.size()) throw new IOException("optimizer state holds " + n + " tensors, the network has " + arrays.size());
        java.util.Arrays.fill(host, null);
        for (INDArray a : arrays) ArrayIO.readInto(in, a);
    }
}

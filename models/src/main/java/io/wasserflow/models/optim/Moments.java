package io.wasserflow.models.optim;

import io.wasserflow.models.layers.Param;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Per-parameter moment arrays (zero at the start), written and read as raw values. */
final class Moments {
    final List<INDArray> arrays = new ArrayList<>();

    Moments(List<Param> params) {
        for (Param p : params) arrays.add(p.value.ulike().assign(0));
    }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(arrays.size());
        for (INDArray a : arrays) ArrayIO.write(out, a);
    }

    void read(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n != arrays.size()) throw new IOException("optimizer state holds " + n + " tensors, the network has " + arrays.size());
        for (INDArray a : arrays) ArrayIO.readInto(in, a);
    }
}

package io.wasserflow.models.optim;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Writes an array's shape and exact values (float32 or float64), and reads them back into place. */
public final class ArrayIO {
    private ArrayIO() {}

    public static void write(DataOutputStream out, INDArray a) throws IOException {
        out.writeInt(a.rank());
        for (long s : a.shape()) out.writeLong(s);
        out.writeBoolean(a.dataType() == DataType.DOUBLE);
        INDArray c = a.dup('c');
        if (a.dataType() == DataType.DOUBLE) {
            for (double v : c.data().asDouble()) out.writeLong(Double.doubleToRawLongBits(v));
        } else {
            for (float v : c.data().asFloat()) out.writeInt(Float.floatToRawIntBits(v));
        }
    }

    public static void readInto(DataInputStream in, INDArray target) throws IOException {
        int rank = in.readInt();
        long[] shape = new long[rank];
        for (int i = 0; i < rank; i++) shape[i] = in.readLong();
        if (!Arrays.equals(shape, target.shape()))
            throw new IOException("saved shape " + Arrays.toString(shape) + " does not match " + Arrays.toString(target.shape()));
        boolean isDouble = in.readBoolean();
        int n = (int) target.length();
        INDArray values;
        if (isDouble) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) v[i] = Double.longBitsToDouble(in.readLong());
            values = Nd4j.create(v, shape, 'c');
        } else {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) v[i] = Float.intBitsToFloat(in.readInt());
            values = Nd4j.create(v, shape, 'c');
        }
        target.assign(values.castTo(target.dataType()));
    }
}

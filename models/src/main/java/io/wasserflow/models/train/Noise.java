package io.wasserflow.models.train;

import io.wasserflow.models.util.Rng;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Arrays of random numbers drawn from the experiment's own generator, never ND4J's. */
final class Noise {
    private Noise() {}

    static INDArray gaussian(Rng rng, DataType dtype, long rows, long cols) {
        double[] v = new double[(int) (rows * cols)];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextGaussian();
        return Nd4j.create(v, new long[] {rows, cols}, 'c').castTo(dtype);
    }

    static INDArray uniform(Rng rng, DataType dtype, long rows, long cols) {
        double[] v = new double[(int) (rows * cols)];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextDouble();
        return Nd4j.create(v, new long[] {rows, cols}, 'c').castTo(dtype);
    }
}

package io.wasserflow.models.nets;

import io.wasserflow.models.util.Rng;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Weight initialisation, drawn from the experiment's own generator. As in the WGAN-GP reference
 * (tflib): uniform with the stated standard deviation, i.e. U(-s sqrt 3, s sqrt 3); He gives
 * s = sqrt(2 / fan_in) (hidden ReLU layers), Glorot s = sqrt(2 / (fan_in + fan_out)) (output layers,
 * and every layer with init glorot). Biases start at zero.
 */
public enum Init {
    HE, GLOROT;

    static INDArray uniform(Rng rng, DataType dtype, double std, long... shape) {
        long n = 1;
        for (long s : shape) n *= s;
        double bound = std * Math.sqrt(3);
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = (2 * rng.nextDouble() - 1) * bound;
        return Nd4j.create(v, shape, 'c').castTo(dtype);
    }

    double std(long fanIn, long fanOut, boolean outputLayer) {
        if (this == HE && !outputLayer) return Math.sqrt(2.0 / fanIn);
        return Math.sqrt(2.0 / (fanIn + fanOut));
    }
}

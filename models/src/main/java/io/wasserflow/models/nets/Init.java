package io.wasserflow.models.nets;

import io.wasserflow.models.util.Rng;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Weight initialisation, drawn from the experiment's own generator. As in the WGAN-GP reference
 * (tflib): uniform with the stated standard deviation, i.e. U(-s sqrt 3, s sqrt 3); He gives
 * s = sqrt(2 / fan_in) (hidden ReLU layers), Glorot s = sqrt(2 / (fan_in + fan_out)) (output layers,
 * and every layer with init glorot); their biases start at zero. PYTORCH is torch.nn.Linear's and
 * Conv2d's default, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases alike: smaller weights,
 * and biases that spread the ReLU kinks away from the origin, which SCIENCE.md measured to cover the
 * 8 Gaussians far sooner.
 */
public enum Init {
    HE, GLOROT, PYTORCH;

    /** Bias values: zero, except PyTorch's default U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
    INDArray bias(Rng rng, DataType dtype, long fanIn, long... shape) {
        if (this != PYTORCH) return Nd4j.zeros(dtype, shape);
        return uniform(rng, dtype, 1 / Math.sqrt(3.0 * fanIn), shape);
    }

    static INDArray uniform(Rng rng, DataType dtype, double std, long... shape) {
        long n = 1;
        for (long s : shape) n *= s;
        double bound = std * Math.sqrt(3);
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = (2 * rng.nextDouble() - 1) * bound;
        return Nd4j.create(v, shape, 'c').castTo(dtype);
    }

    double std(long fanIn, long fanOut, boolean outputLayer) {
        if (this == PYTORCH) return 1 / Math.sqrt(3.0 * fanIn); // the std of U(-1/sqrt(fan_in), 1/sqrt(fan_in))
        if (this == HE && !outputLayer) return Math.sqrt(2.0 / fanIn);
        return Math.sqrt(2.0 / (fanIn + fanOut));
    }
}

package io.wasserflow.models.diagnostics;

import io.wasserflow.models.nets.Network;
import io.wasserflow.models.train.Loss;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A critic on 1-D data read along the line (SCIENCE.md, part two, WGAN paper Figure 2): at each x of
 * a grid, pushed through the network with no training on it, the function D the loss sees, its slope
 * dD/dx, and the gradient with respect to x of the loss the generator minimises, which is what a
 * generator sample at x would follow.
 *
 * <p>For a Wasserstein critic D is the output and the generator minimises -D: its gradient is -dD/dx.
 * For a GAN the output is a logit l and D = sigma(l), so dD/dx = D (1 - D) l'; the minimax generator
 * minimises log(1 - D), gradient -D l'; the non-saturating one -log D, gradient -(1 - D) l'.
 *
 * @param x the grid
 * @param d D(x)
 * @param slope dD/dx
 * @param generatorGradient d (generator loss) / dx
 */
public record LineProfile(double[] x, double[] d, double[] slope, double[] generatorGradient) {

    /** The profile of a critic whose input is one number (data shape [1, 1, 1]) on the points x. */
    public static LineProfile of(Network critic, Loss loss, double[] x) {
        long[] in = critic.inputShape();
        if (in[0] * in[1] * in[2] != 1) throw new IllegalArgumentException("a line profile needs a critic of one input, this one takes " + in[0] * in[1] * in[2]);
        DataType dtype = critic.params().get(0).value.dataType();
        INDArray points = Nd4j.create(x, new long[] {x.length, 1, 1, 1}, 'c').castTo(dtype);
        critic.zeroGrad();
        INDArray o = critic.forward(points);
        double[] out = o.castTo(DataType.DOUBLE).data().asDouble();
        // rows are independent (no batch statistics in a critic), so the gradient of the sum is each row's own
        double[] outSlope = critic.backward(Nd4j.onesLike(o), false).castTo(DataType.DOUBLE).data().asDouble();
        int n = x.length;
        double[] d = new double[n], slope = new double[n], gen = new double[n];
        for (int i = 0; i < n; i++) {
            if (loss.isWasserstein()) {
                d[i] = out[i];
                slope[i] = outSlope[i];
                gen[i] = -outSlope[i];
                continue;
            }
            double p = sigmoid(out[i]), q = sigmoid(-out[i]); // D and 1 - D, each without cancellation
            d[i] = p;
            slope[i] = p * q * outSlope[i];
            gen[i] = loss == Loss.GAN_MINIMAX ? -p * outSlope[i] : -q * outSlope[i];
        }
        return new LineProfile(x.clone(), d, slope, gen);
    }

    /** n evenly spaced points from a to b, both included. */
    public static double[] grid(double a, double b, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = a + (b - a) * i / (n - 1);
        return x;
    }

    /** The mean slope between two points, (D(b) - D(a)) / (b - a), by linear interpolation on the grid. */
    public double meanSlope(double a, double b) {
        return (at(d, b) - at(d, a)) / (b - a);
    }

    /** |dD/dx| at a point of the grid's range, interpolated. */
    public double absSlopeAt(double point) {
        return Math.abs(at(slope, point));
    }

    /** |d (generator loss) / dx| at a point of the grid's range, interpolated. */
    public double absGeneratorGradientAt(double point) {
        return Math.abs(at(generatorGradient, point));
    }

    /** D at a point of the grid's range, interpolated. */
    public double dAt(double point) {
        return at(d, point);
    }

    private double at(double[] values, double point) {
        if (!(point >= x[0] && point <= x[x.length - 1])) throw new IllegalArgumentException(point + " is outside the grid [" + x[0] + ", " + x[x.length - 1] + "]");
        int i = 0;
        while (i < x.length - 2 && x[i + 1] < point) i++;
        double t = (point - x[i]) / (x[i + 1] - x[i]);
        return values[i] + t * (values[i + 1] - values[i]);
    }

    private static double sigmoid(double l) {
        return l >= 0 ? 1 / (1 + Math.exp(-l)) : Math.exp(l) / (1 + Math.exp(l));
    }
}

package io.wasserflow.models.diagnostics;

import io.wasserflow.models.nets.Network;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A 2-D critic over a square of the plane, as the WGAN-GP toy code draws it: D on an n x n grid of
 * points and grad_x D at each (one forward and one input-only backward pass over the grid, whose
 * points are independent samples). Touches no parameter, gradient or random state, so training goes
 * on as if it had not been drawn.
 *
 * @param xs the grid's x coordinates, ascending (n values); ys likewise
 * @param values D at (xs[i], ys[j]), index j * n + i
 * @param dx dD/dx at the same points; dy likewise
 */
public record CriticLandscape(double[] xs, double[] ys, double[] values, double[] dx, double[] dy) {
    /** The critic over [x0, x1] x [y0, y1] on n x n points. */
    public static CriticLandscape of(Network critic, DataType dtype, double x0, double x1, double y0, double y1, int n) {
        if (n < 2) throw new IllegalArgumentException("a landscape needs at least 2 x 2 points, got " + n);
        long[] in = critic.inputShape();
        if (in.length != 3 || in[0] * in[1] * in[2] != 2) throw new IllegalArgumentException("a landscape needs a critic of 2-D points, this one reads " + java.util.Arrays.toString(in));
        double[] xs = new double[n], ys = new double[n], grid = new double[2 * n * n];
        for (int i = 0; i < n; i++) {
            xs[i] = x0 + (x1 - x0) * i / (n - 1);
            ys[i] = y0 + (y1 - y0) * i / (n - 1);
        }
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++) {
                grid[2 * (j * n + i)] = xs[i];
                grid[2 * (j * n + i) + 1] = ys[j];
            }
        INDArray points = Nd4j.create(grid, new long[] {(long) n * n, in[0], in[1], in[2]}, 'c').castTo(dtype);
        INDArray out = critic.forward(points);
        INDArray g = critic.backward(Nd4j.onesLike(out), false);
        double[] values = out.castTo(DataType.DOUBLE).data().asDouble(), gradients = g.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] dx = new double[n * n], dy = new double[n * n];
        for (int k = 0; k < n * n; k++) {
            dx[k] = gradients[2 * k];
            dy[k] = gradients[2 * k + 1];
        }
        return new CriticLandscape(xs, ys, values, dx, dy);
    }
}

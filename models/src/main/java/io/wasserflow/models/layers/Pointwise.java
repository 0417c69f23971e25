package io.wasserflow.models.layers;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An elementwise nonlinearity y = f(x). With s = f'(x):
 * backward x-bar = s y-bar; tangent y-dot = s x-dot; and in the reverse pass over the tangent,
 * x-dot-bar = s y-dot-bar and x-bar = s y-bar + f''(x) x-dot y-dot-bar. For piecewise-linear f
 * (ReLU, LeakyReLU) f'' is zero almost everywhere, so x-bar stays null when y-bar is.
 */
abstract class Pointwise implements Layer {
    private final String name;
    protected INDArray x, y, slope, xDot;

    Pointwise(String name) {
        this.name = name;
    }

    @Override public String name() { return name; }

    /** y = f(x). */
    protected abstract INDArray apply(INDArray x);

    /** s = f'(x), from the cached x and y. */
    protected abstract INDArray derivative();

    /** f''(x), from the cached x, y and s; null where f is piecewise linear. */
    protected abstract INDArray secondDerivative();

    @Override public INDArray forward(INDArray x) {
        this.x = x;
        this.y = apply(x);
        this.slope = null;
        return y;
    }

    private INDArray slope() {
        if (slope == null) slope = derivative();
        return slope;
    }

    @Override public INDArray backward(INDArray yBar, boolean paramGrads) {
        return yBar.mul(slope());
    }

    @Override public INDArray tangent(INDArray xDot) {
        this.xDot = xDot;
        return xDot.mul(slope());
    }

    @Override public Adjoint tangentBackward(INDArray yBar, INDArray yDotBar) {
        INDArray xDotBar = yDotBar.mul(slope());
        INDArray curvature = secondDerivative();
        INDArray xBar = yBar == null ? null : yBar.mul(slope());
        if (curvature != null) {
            INDArray viaTangent = curvature.mul(xDot).muli(yDotBar);
            xBar = xBar == null ? viaTangent : xBar.addi(viaTangent);
        }
        return new Adjoint(xBar, xDotBar);
    }

    @Override public long[] outputShape(long[] in) { return in; }
}

package io.wasserflow.models.lipschitz;

import io.wasserflow.models.nets.Network;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The gradient penalty and its exact weight gradient by the tangent route of SCIENCE.md: with
 * g_i = grad_x D(x-hat_i) and v_i = dP/dg_i held fixed, dP/dtheta = d/dtheta sum_i v_i . g_i, the
 * weight gradient of the directional derivatives of D at x-hat_i along v_i.
 */
public final class Penalty {
    /**
     * Added to ||g||^2 before the square root, everywhere, so the penalty is smooth where g = 0 and
     * its value and gradient stay mutually exact; TF-GAN adds 1e-10 for the same reason. It moves a
     * norm of order 1 by about 5e-13.
     */
    static final double NORM_EPS = 1e-12;

    private final double lambda;
    private final boolean oneSided;

    public Penalty(double lambda, boolean oneSided) {
        this.lambda = lambda;
        this.oneSided = oneSided;
    }

    public static Penalty of(Constraint c) {
        if (c instanceof Constraint.GradientPenalty gp) return new Penalty(gp.lambda(), false);
        if (c instanceof Constraint.OneSidedPenalty lp) return new Penalty(lp.lambda(), true);
        return null;
    }

    /** The penalty's value and the norms ||grad_x D(x-hat_i)|| of the batch. */
    public record Result(double value, double[] gradientNorms) {}

    /** x-hat = eps real + (1 - eps) fake, one eps per sample ([B, 1]). */
    public static INDArray interpolate(INDArray real, INDArray fake, INDArray eps) {
        long b = real.size(0);
        INDArray r = real.reshape('c', b, real.length() / b), f = fake.reshape('c', b, fake.length() / b);
        INDArray xHat = f.add(r.sub(f).muliColumnVector(eps));
        return xHat.reshape('c', real.shape());
    }

    /** Per-sample input gradients at x-hat: the critic's samples are independent, so one backward of ones gives all. */
    public static INDArray inputGradients(Network critic, INDArray xHat) {
        INDArray out = critic.forward(xHat);
        return critic.backward(Nd4j.onesLike(out), false);
    }

    /** The penalty at x-hat without its gradient (gradient checks, diagnostics). */
    public double value(Network critic, INDArray xHat) {
        return evaluate(critic, xHat).value;
    }

    private record Evaluation(INDArray g, INDArray norm, INDArray excess, double value) {}

    /** Step 1: forward and backward at x-hat, g_i, its (smoothed) norm, and the penalty. */
    private Evaluation evaluate(Network critic, INDArray xHat) {
        long b = xHat.size(0);
        INDArray g = inputGradients(critic, xHat);
        INDArray g2 = g.reshape('c', b, g.length() / b);
        INDArray norm = Transforms.sqrt(g2.mul(g2).sum(true, 1).addi(NORM_EPS), false); // [B,1]
        INDArray excess = norm.sub(1);
        if (oneSided) Transforms.relu(excess, false);
        double value = lambda * excess.mul(excess).sumNumber().doubleValue() / b;
        return new Evaluation(g2, norm, excess, value);
    }

    /** Adds the penalty's weight gradient to the critic's gradients and returns its value. */
    public Result apply(Network critic, INDArray xHat) {
        long b = xHat.size(0);
        Evaluation e = evaluate(critic, xHat);
        // v_i = dP/dg_i = 2 lambda / B (||g_i|| - 1)_(+) g_i / ||g_i||
        INDArray v = e.g.mulColumnVector(e.excess.mul(2 * lambda / b).divi(e.norm));
        // 2. forward mode at x-hat along v: each output tangent is g_i . v_i
        INDArray outDot = critic.tangent(v.reshape('c', xHat.shape()));
        // 3. reverse over (primal, tangent), seeded with 1 on every output tangent and 0 on the primal:
        // for a piecewise-linear critic it retraces step 1's backward, whose adjoints the layers kept
        if (critic.piecewiseLinear()) critic.tangentBackwardReusingAdjoints();
        else critic.tangentBackward(null, Nd4j.onesLike(outDot));
        return new Result(e.value, e.norm.dup().data().asDouble());
    }
}

package io.wasserflow.models.train;

import io.wasserflow.models.diagnostics.StepProfile;
import io.wasserflow.models.lipschitz.Constraint;
import io.wasserflow.models.lipschitz.Penalty;
import io.wasserflow.models.lipschitz.SpectralNormalisation;
import io.wasserflow.models.nets.Network;
import io.wasserflow.models.optim.Optimizer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One critic update, as in WGAN-GP's Algorithm 1 (lines 3-9): the Wasserstein term on a real batch
 * and a generated one, the penalty at the interpolates x-hat, one optimizer step, then clipping.
 * Under spectral normalisation the update starts with its power step and its gradient is taken back
 * through W / sigma(W) before the optimizer step.
 */
final class CriticStep {
    /** What the step computed, for diagnostics. */
    /** penalty: null for a constraint without one. */
    record Outcome(double loss, double wassersteinTerm, Double penalty, double[] inputGradientNorms, double[] activationGradNorms) {}

    private final Network critic;
    private final Loss loss;
    private final Constraint constraint;
    private final Penalty penalty;
    private final Optimizer optimizer;
    /** Null unless the constraint is sn. */
    private final SpectralNormalisation spectralNorm;

    CriticStep(Network critic, Loss loss, Constraint constraint, Optimizer optimizer, SpectralNormalisation spectralNorm) {
        this.critic = critic;
        this.loss = loss;
        this.constraint = constraint;
        this.penalty = Penalty.of(constraint);
        this.optimizer = optimizer;
        this.spectralNorm = spectralNorm;
    }

    /**
     * @param eps one U[0,1] per sample, [B, 1]
     * @param measureInputGradients compute ||grad_x D(x-hat)|| even without a penalty (an extra pass)
     * @param activationGradNorms filled per linear layer when not null
     */
    Outcome run(INDArray real, INDArray fake, INDArray eps, boolean measureInputGradients, double[] activationGradNorms) {
        int b = (int) real.size(0);
        long t = StepProfile.clock();
        if (spectralNorm != null) spectralNorm.powerStep();
        critic.zeroGrad();
        INDArray out = critic.forward(Nd4j.concat(0, real, fake));
        Loss.Value term = loss.critic(out, b);
        critic.backward(term.outputBar(), true, activationGradNorms);
        StepProfile.phase("critic: loss forward + backward", t);

        Double penaltyValue = null;
        double[] inputNorms = null;
        t = StepProfile.clock();
        if (penalty != null) {
            Penalty.Result p = penalty.apply(critic, Penalty.interpolate(real, fake, eps));
            penaltyValue = p.value();
            inputNorms = p.gradientNorms();
        } else if (measureInputGradients) {
            INDArray g = Penalty.inputGradients(critic, Penalty.interpolate(real, fake, eps));
            inputNorms = g.reshape('c', b, g.length() / b).norm2(1).data().asDouble();
        }

        StepProfile.phase(penalty != null ? "critic: penalty" : "critic: input gradients (diagnostic)", t);
        t = StepProfile.clock();
        if (spectralNorm != null) spectralNorm.backward();
        optimizer.step(critic.params(), constraint instanceof Constraint.Clip clip ? clip.c() : 0); // clipping fused into the update
        if (spectralNorm != null) spectralNorm.refresh();
        StepProfile.phase("critic: optimizer", t);
        StepProfile.kernel(optimizer.getClass().getSimpleName(), constraint instanceof Constraint.Clip ? "update and clip" : "update", t);
        double total = term.loss() + (penaltyValue != null ? penaltyValue : 0);
        return new Outcome(total, term.loss(), penaltyValue, inputNorms, activationGradNorms);
    }
}

package io.wasserflow.models.train;

import io.wasserflow.models.diagnostics.StepProfile;
import io.wasserflow.models.nets.Network;
import io.wasserflow.models.optim.Optimizer;
import org.nd4j.linalg.api.ndarray.INDArray;

/** One generator update (Algorithm 1, lines 11-12): minimise the generator loss of D(G(z)). */
final class GeneratorStep {
    private final Network generator, critic;
    private final Loss loss;
    private final Optimizer optimizer;

    GeneratorStep(Network generator, Network critic, Loss loss, Optimizer optimizer) {
        this.generator = generator;
        this.critic = critic;
        this.loss = loss;
        this.optimizer = optimizer;
    }

    /** @return the generator loss */
    double run(INDArray z, double[] activationGradNorms) {
        generator.zeroGrad();
        INDArray fake = generator.forward(z);
        Loss.Value value = loss.generator(critic.forward(fake));
        INDArray fakeBar = critic.backward(value.outputBar(), false); // the critic only passes the gradient on
        generator.backward(fakeBar, true, activationGradNorms);
        long t = StepProfile.clock();
        optimizer.step(generator.params());
        StepProfile.kernel(optimizer.getClass().getSimpleName(), "update", t);
        return value.loss();
    }
}

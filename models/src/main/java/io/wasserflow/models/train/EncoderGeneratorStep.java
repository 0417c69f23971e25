package io.wasserflow.models.train;

import io.wasserflow.models.diagnostics.StepProfile;
import io.wasserflow.models.nets.Network;
import io.wasserflow.models.optim.Optimizer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * BiGAN's encoder and generator update (Donahue et al. 2017), taken together: the joint critic sees
 * real pairs (x, E(x)) and fake pairs (G(z), z); E and G minimise {@link Loss#encoderGenerator}, E
 * through the z half of the real pairs' input gradient, G through the x half of the fake pairs'.
 * The critic only passes the gradient on.
 */
final class EncoderGeneratorStep {
    private final Network encoder, generator, critic;
    private final Loss loss;
    private final Optimizer encoderOptimizer, generatorOptimizer;

    EncoderGeneratorStep(Network encoder, Network generator, Network critic, Loss loss, Optimizer encoderOptimizer, Optimizer generatorOptimizer) {
        this.encoder = encoder;
        this.generator = generator;
        this.critic = critic;
        this.loss = loss;
        this.encoderOptimizer = encoderOptimizer;
        this.generatorOptimizer = generatorOptimizer;
    }

    /**
     * Computes both networks' gradients without updating them (gradient checks), and returns the loss.
     *
     * @param x a real batch [B, C, H, W] (or [B, features])
     * @param z latent points [B, zDim]
     */
    double gradients(INDArray x, INDArray z, double[] encoderActivationGradNorms, double[] generatorActivationGradNorms) {
        int b = (int) x.size(0);
        encoder.zeroGrad();
        generator.zeroGrad();
        INDArray encoded = encoder.forward(x);
        INDArray fake = generator.forward(z);
        INDArray out = critic.forward(Nd4j.concat(0, JointPairs.of(x, encoded), JointPairs.of(fake, z)));
        Loss.Value value = loss.encoderGenerator(out, b);
        INDArray pairsBar = critic.backward(value.outputBar(), false);
        encoder.backward(JointPairs.zPart(pairsBar, 0, b, z.size(1)), true, encoderActivationGradNorms);
        generator.backward(JointPairs.xPart(pairsBar, b, 2L * b, fake.shape()), true, generatorActivationGradNorms);
        return value.loss();
    }

    /** One update of E and G; returns the loss before it. */
    double run(INDArray x, INDArray z, double[] encoderActivationGradNorms, double[] generatorActivationGradNorms) {
        double l = gradients(x, z, encoderActivationGradNorms, generatorActivationGradNorms);
        long t = StepProfile.clock();
        generatorOptimizer.step(generator.params());
        encoderOptimizer.step(encoder.params());
        StepProfile.kernel(generatorOptimizer.getClass().getSimpleName(), "update", t);
        return l;
    }
}

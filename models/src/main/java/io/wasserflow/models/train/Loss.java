package io.wasserflow.models.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The losses of SCIENCE.md, each as a value and its adjoint with respect to the critic's outputs.
 * The critic sees real and fake samples stacked in one batch of 2B rows: real first.
 */
public enum Loss {
    /** Critic: mean D(fake) - mean D(real); generator: -mean D(G(z)). */
    WGAN("wgan"),
    /** Discriminator with a logit output and cross-entropy from logits; generator -mean log D(G(z)). */
    GAN("gan"),
    /** Same discriminator; the saturating generator loss mean log(1 - D(G(z))) of the original paper. */
    GAN_MINIMAX("gan-minimax");

    public final String id;

    Loss(String id) { this.id = id; }

    public boolean isWasserstein() { return this == WGAN; }

    public static Loss byId(String id) {
        for (Loss l : values()) if (l.id.equals(id)) return l;
        return null;
    }

    /** A loss value and its adjoint with respect to the network output. */
    public record Value(double loss, INDArray outputBar) {}

    /** @param out the critic's outputs on [real; fake], shape [2B, 1] */
    public Value critic(INDArray out, int b) {
        INDArray real = out.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, b));
        INDArray fake = out.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(b, 2 * b));
        INDArray bar = out.ulike();
        if (this == WGAN) {
            double loss = fake.meanNumber().doubleValue() - real.meanNumber().doubleValue();
            bar.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, b)).assign(-1.0 / b);
            bar.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(b, 2 * b)).assign(1.0 / b);
            return new Value(loss, bar);
        }
        // -mean log sigma(l_real) - mean log(1 - sigma(l_fake)) = mean softplus(-l_real) + mean softplus(l_fake)
        double loss = (softplus(real.neg()).sumNumber().doubleValue() + softplus(fake).sumNumber().doubleValue()) / b;
        bar.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, b)).assign(Transforms.sigmoid(real.neg(), true).negi().divi(b));
        bar.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(b, 2 * b)).assign(Transforms.sigmoid(fake, true).divi(b));
        return new Value(loss, bar);
    }

    /** @param out the critic's outputs on G(z), shape [B, 1] */
    public Value generator(INDArray out) {
        long b = out.size(0);
        return switch (this) {
            case WGAN -> new Value(-out.meanNumber().doubleValue(), out.ulike().assign(-1.0 / b));
            // -mean log sigma(l) = mean softplus(-l); d/dl = -sigma(-l) / B
            case GAN -> new Value(softplus(out.neg()).meanNumber().doubleValue(), Transforms.sigmoid(out.neg(), true).negi().divi(b));
            // mean log(1 - sigma(l)) = -mean softplus(l); d/dl = -sigma(l) / B
            case GAN_MINIMAX -> new Value(-softplus(out).meanNumber().doubleValue(), Transforms.sigmoid(out, true).negi().divi(b));
        };
    }

    /**
     * BiGAN's encoder and generator loss on the joint critic's outputs for [(x, E(x)); (G(z), z)],
     * shape [2B, 1], real pairs first. Wasserstein: the negative of the critic's difference,
     * mean D(x, E(x)) - mean D(G(z), z). GAN: the BiGAN paper's objective with the labels swapped
     * for E and G (non-saturating, as the paper trains them): -mean log(1 - D(x, E(x))) - mean log D(G(z), z)
     * = mean softplus(l_real) + mean softplus(-l_fake).
     */
    public Value encoderGenerator(INDArray out, int b) {
        if (this == GAN_MINIMAX) throw new IllegalArgumentException("BiGAN trains with loss wgan or gan, not " + id);
        // both objectives are the critic's own with real and fake swapped, which is the critic's loss on -out:
        // L_EG(out) = L_D(-out), so dL_EG/dout = -L_D'(-out)
        Value swapped = critic(out.neg(), b);
        return new Value(swapped.loss(), swapped.outputBar().negi());
    }

    /** log(1 + e^x) computed as max(x, 0) + log1p(e^-|x|), which neither overflows nor loses small values. */
    static INDArray softplus(INDArray x) {
        INDArray tail = Transforms.log(Transforms.exp(Transforms.abs(x, true).negi(), false).addi(1), false);
        return Transforms.relu(x, true).addi(tail);
    }
}

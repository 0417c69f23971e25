package io.wasserflow.models.nets;

import java.io.Serializable;

/**
 * Network shapes from the config. MLP: depth hidden layers of the given width (the WGAN-GP toy
 * setup is depth 3, width 512). DCGAN: the WGAN-GP reference's 28x28x1 networks with base
 * channels DIM.
 */
public record Architecture(Kind kind, int depth, int width, int baseChannels, Norm criticNorm, Norm generatorNorm) implements Serializable {
    public enum Kind { MLP, DCGAN }

    /** Normalisation after each hidden linear layer: layer norm is for critics, batch norm for generators. */
    public enum Norm { NONE, LAYERNORM, BATCHNORM }

    public static Architecture mlp(int depth, int width) {
        return new Architecture(Kind.MLP, depth, width, 0, Norm.NONE, Norm.NONE);
    }

    public static Architecture dcgan(int baseChannels) {
        return new Architecture(Kind.DCGAN, 0, 0, baseChannels, Norm.NONE, Norm.NONE);
    }

    public Architecture withNorms(Norm critic, Norm generator) {
        return new Architecture(kind, depth, width, baseChannels, critic, generator);
    }
}

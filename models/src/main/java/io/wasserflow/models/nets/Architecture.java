package io.wasserflow.models.nets;

import java.io.Serializable;

/**
 * Network shapes from the config. MLP: depth hidden layers of the given width (the WGAN-GP toy
 * setup is depth 3, width 512). DCGAN: the WGAN-GP reference's 28x28x1 networks with base
 * channels DIM. The generator has the same shape unless {@code generator} names its own (the WGAN
 * paper's section 4.3 trains a DCGAN critic against an MLP generator); null means the same.
 */
public record Architecture(Kind kind, int depth, int width, int baseChannels, Norm criticNorm, Norm generatorNorm, Architecture generator)
        implements Serializable {
    public enum Kind { MLP, DCGAN }

    /** Normalisation after each hidden linear layer: layer norm is for critics, batch norm for generators. */
    public enum Norm { NONE, LAYERNORM, BATCHNORM }

    public static Architecture mlp(int depth, int width) {
        return new Architecture(Kind.MLP, depth, width, 0, Norm.NONE, Norm.NONE, null);
    }

    public static Architecture dcgan(int baseChannels) {
        return new Architecture(Kind.DCGAN, 0, 0, baseChannels, Norm.NONE, Norm.NONE, null);
    }

    public Architecture withNorms(Norm critic, Norm generatorNorm) {
        return new Architecture(kind, depth, width, baseChannels, critic, generatorNorm, generator);
    }

    /** The same critic with a generator of its own shape (its norms are ignored: the generator norm is this one's). */
    public Architecture withGenerator(Architecture generatorShape) {
        return new Architecture(kind, depth, width, baseChannels, criticNorm, generatorNorm,
                generatorShape == null ? null : new Architecture(generatorShape.kind, generatorShape.depth, generatorShape.width,
                        generatorShape.baseChannels, Norm.NONE, Norm.NONE, null));
    }

    /** What the generator is built from: its own shape where one is set, with this architecture's generator norm. */
    public Architecture generatorShape() {
        return generator == null ? this : new Architecture(generator.kind, generator.depth, generator.width, generator.baseChannels,
                criticNorm, generatorNorm, null);
    }
}

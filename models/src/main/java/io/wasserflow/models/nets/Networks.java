package io.wasserflow.models.nets;

import io.wasserflow.models.layers.BatchNorm;
import io.wasserflow.models.layers.Conv2d;
import io.wasserflow.models.layers.ConvTranspose2d;
import io.wasserflow.models.layers.Crop;
import io.wasserflow.models.layers.Dense;
import io.wasserflow.models.layers.Layer;
import io.wasserflow.models.layers.LayerNorm;
import io.wasserflow.models.layers.LeakyRelu;
import io.wasserflow.models.layers.Relu;
import io.wasserflow.models.layers.Reshape;
import io.wasserflow.models.layers.Sigmoid;
import io.wasserflow.models.util.Rng;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Builds critics and generators for a data shape [channels, height, width]. */
public final class Networks {
    private Networks() {}

    /** The reference DCGAN critic's LeakyReLU slope. */
    static final double LEAKY_SLOPE = 0.2;
    static final int KERNEL = 5;

    /** Images have a height and a width; the 2-D toy points are [1, 1, 2], one row of two values. */
    public static boolean isImage(long[] dataShape) {
        return dataShape[1] > 1 && dataShape[2] > 1;
    }

    public static Network critic(Architecture a, long[] dataShape, Init init, Rng rng, DataType dtype) {
        return new Network("critic", dataShape, discriminative(a, dataShape, 1, init, rng, dtype));
    }

    /**
     * BiGAN's encoder E: x -> z, the critic's body (an MLP, or for 28x28 images the DCGAN critic's
     * convolutions) ending in a linear layer of zDim outputs instead of one.
     */
    public static Network encoder(Architecture a, long[] dataShape, int zDim, Init init, Rng rng, DataType dtype) {
        return new Network("encoder", dataShape, discriminative(a, dataShape, zDim, init, rng, dtype));
    }

    /**
     * BiGAN's joint critic D(x, z): an MLP on the concatenation [flattened x, z] (rows of
     * {@link #jointInputs}). Our networks are sequential stacks; a critic with a convolutional branch
     * for x and a dense branch for z joined later would need a graph of layers, so the pair is joined
     * at the input. Its depth and width are the architecture's for {@code mlp}; for {@code dcgan},
     * {@link #JOINT_DEPTH} hidden layers of 16 x base channels (1024 at 64, the BiGAN paper's width).
     */
    public static Network jointCritic(Architecture a, long[] dataShape, int zDim, Init init, Rng rng, DataType dtype) {
        Architecture mlp = a.kind() == Architecture.Kind.MLP ? a
                : Architecture.mlp(JOINT_DEPTH, JOINT_WIDTH_PER_CHANNEL * a.baseChannels()).withNorms(a.criticNorm(), a.generatorNorm());
        long[] joint = {1, 1, jointInputs(dataShape, zDim)};
        return new Network("critic", joint, discriminative(mlp, joint, 1, init, rng, dtype));
    }

    /** The BiGAN paper's joint discriminator on images: two hidden layers of 1024 units. */
    static final int JOINT_DEPTH = 2, JOINT_WIDTH_PER_CHANNEL = 16;

    /** A joint critic's input width: one sample's values, then its latent point. */
    public static long jointInputs(long[] dataShape, int zDim) {
        return dataShape[0] * dataShape[1] * dataShape[2] + zDim;
    }

    /** The critic's layers with {@code outputs} outputs: the critic itself (1) or an encoder (zDim). */
    private static List<Layer> discriminative(Architecture a, long[] dataShape, long outputs, Init init, Rng rng, DataType dtype) {
        List<Layer> layers = new ArrayList<>();
        long inputs = dataShape[0] * dataShape[1] * dataShape[2];
        if (a.kind() == Architecture.Kind.MLP) {
            layers.add(new Reshape("flatten", inputs));
            long in = inputs;
            for (int i = 0; i < a.depth(); i++) {
                layers.add(dense("dense" + i, in, a.width(), init, false, rng, dtype));
                if (a.criticNorm() == Architecture.Norm.LAYERNORM) layers.add(layerNorm("norm" + i, a.width(), dtype));
                layers.add(new Relu("relu" + i));
                in = a.width();
            }
            layers.add(dense("dense" + a.depth(), in, outputs, init, true, rng, dtype));
        } else {
            requireMnistShape(dataShape);
            int dim = a.baseChannels();
            long[] channels = {dataShape[0], dim, 2L * dim, 4L * dim};
            for (int i = 0; i < 3; i++) {
                layers.add(conv("conv" + i, channels[i], channels[i + 1], init, rng, dtype));
                if (a.criticNorm() == Architecture.Norm.LAYERNORM) layers.add(layerNorm("norm" + i, channels[i + 1], dtype));
                layers.add(new LeakyRelu("lrelu" + i, LEAKY_SLOPE));
            }
            layers.add(new Reshape("flatten", 4 * 4 * 4L * dim));
            layers.add(dense("dense3", 4 * 4 * 4L * dim, outputs, init, true, rng, dtype));
        }
        if (a.criticNorm() == Architecture.Norm.BATCHNORM)
            throw new IllegalArgumentException("critic normalisation batchnorm is not allowed: it makes the gradient penalty depend on the batch; use layernorm");
        return layers;
    }

    public static Network generator(Architecture architecture, long[] dataShape, int zDim, Init init, Rng rng, DataType dtype) {
        Architecture a = architecture.generatorShape();
        List<Layer> layers = new ArrayList<>();
        boolean image = isImage(dataShape);
        long outputs = dataShape[0] * dataShape[1] * dataShape[2];
        if (a.kind() == Architecture.Kind.MLP) {
            long in = zDim;
            for (int i = 0; i < a.depth(); i++) {
                layers.add(dense("dense" + i, in, a.width(), init, false, rng, dtype));
                if (a.generatorNorm() == Architecture.Norm.BATCHNORM) layers.add(batchNorm("norm" + i, a.width(), dtype));
                layers.add(new Relu("relu" + i));
                in = a.width();
            }
            layers.add(dense("dense" + a.depth(), in, outputs, init, true, rng, dtype));
            if (image) layers.add(new Sigmoid("sigmoid")); // pixels are scaled to [0, 1]
            layers.add(new Reshape("reshape", dataShape));
        } else {
            requireMnistShape(dataShape);
            int dim = a.baseChannels();
            boolean bn = a.generatorNorm() == Architecture.Norm.BATCHNORM;
            layers.add(dense("dense0", zDim, 4 * 4 * 4L * dim, init, false, rng, dtype));
            if (bn) layers.add(batchNorm("norm0", 4 * 4 * 4L * dim, dtype));
            layers.add(new Relu("relu0"));
            layers.add(new Reshape("reshape", 4L * dim, 4, 4));
            layers.add(deconv("deconv1", 4L * dim, 2L * dim, init, false, rng, dtype)); // 8x8
            if (bn) layers.add(batchNorm("norm1", 2L * dim, dtype));
            layers.add(new Relu("relu1"));
            layers.add(new Crop("crop", 7, 7));
            layers.add(deconv("deconv2", 2L * dim, dim, init, false, rng, dtype)); // 14x14
            if (bn) layers.add(batchNorm("norm2", dim, dtype));
            layers.add(new Relu("relu2"));
            layers.add(deconv("deconv3", dim, dataShape[0], init, true, rng, dtype)); // 28x28
            layers.add(new Sigmoid("sigmoid"));
        }
        if (a.generatorNorm() == Architecture.Norm.LAYERNORM)
            throw new IllegalArgumentException("generator normalisation layernorm is not supported; use batchnorm or none");
        return new Network("generator", new long[] {zDim}, layers);
    }

    private static void requireMnistShape(long[] s) {
        if (s[1] != 28 || s[2] != 28)
            throw new IllegalArgumentException("architecture dcgan needs 28x28 images, the data is " + s[1] + "x" + s[2]);
    }

    private static Dense dense(String name, long in, long out, Init init, boolean outputLayer, Rng rng, DataType dtype) {
        INDArray w = Init.uniform(rng, dtype, init.std(in, out, outputLayer), in, out);
        return new Dense(name, w, init.bias(rng, dtype, in, 1, out));
    }

    private static Conv2d conv(String name, long in, long out, Init init, Rng rng, DataType dtype) {
        long fanIn = in * KERNEL * KERNEL, fanOut = out * KERNEL * KERNEL;
        INDArray w = Init.uniform(rng, dtype, init.std(fanIn, fanOut, false), out, in, KERNEL, KERNEL);
        return new Conv2d(name, w, init.bias(rng, dtype, fanIn, out), 2, 2);
    }

    private static ConvTranspose2d deconv(String name, long in, long out, Init init, boolean outputLayer, Rng rng, DataType dtype) {
        long fanIn = in * KERNEL * KERNEL, fanOut = out * KERNEL * KERNEL;
        // PyTorch's ConvTranspose2d takes its fan-in from weight dim 1 (out channels) x k x k
        long torchFanIn = out * KERNEL * KERNEL;
        INDArray w = Init.uniform(rng, dtype, init == Init.PYTORCH ? init.std(torchFanIn, 0, false) : init.std(fanIn, fanOut, outputLayer), in, out, KERNEL, KERNEL);
        return new ConvTranspose2d(name, w, init.bias(rng, dtype, torchFanIn, out), 2);
    }

    private static LayerNorm layerNorm(String name, long features, DataType dtype) {
        return new LayerNorm(name, Nd4j.ones(dtype, features), Nd4j.zeros(dtype, features));
    }

    private static BatchNorm batchNorm(String name, long features, DataType dtype) {
        return new BatchNorm(name, Nd4j.ones(dtype, features), Nd4j.zeros(dtype, features));
    }
}

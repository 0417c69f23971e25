package io.wasserflow.models.quality;

import io.wasserflow.models.layers.Dense;
import io.wasserflow.models.layers.Layer;
import io.wasserflow.models.layers.Param;
import io.wasserflow.models.layers.Relu;
import io.wasserflow.models.layers.Reshape;
import io.wasserflow.models.layers.SoftmaxCrossEntropy;
import io.wasserflow.models.nets.Network;
import io.wasserflow.models.optim.ArrayIO;
import io.wasserflow.models.optim.Optimizer;
import io.wasserflow.models.optim.OptimizerConfig;
import io.wasserflow.models.util.Rng;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A small classifier of 28x28 grey images (pixels in [0, 1], ten classes) from the project's own
 * layers, whose penultimate layer is the feature space of the Fréchet distance and the
 * birthday test (SCIENCE.md, "Judging sample quality beyond the critic"): dense 784-256, ReLU,
 * dense 256-64, ReLU (the {@link #FEATURES} features), dense 64-10. Trained with softmax
 * cross-entropy and Adam; the initialisation and the order of the examples come from one seed.
 * A perceptron rather than a convolutional net: on this shared 2-core machine a conv 16-32 net
 * trained at 0.7 s per batch of 64 (libnd4j's conv2d_bp), ten times slower, for a few points
 * of accuracy that the feature statistics do not need.
 */
public final class FashionClassifier {
    public static final int FEATURES = 64, CLASSES = 10, SIDE = 28, PIXELS = SIDE * SIDE;
    /** Names the architecture in cache keys: change it whenever the layers change. */
    public static final String ARCHITECTURE = "dense784x256-relu-dense256x64-relu-dense64x10";
    /** Fashion-MNIST's labels 0-9, in order. */
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    static final int HIDDEN = 256;
    static final int EVAL_BATCH = 500;

    private final Network net;
    /** The index of the ReLU whose output is the feature vector. */
    private final int featureLayer;

    public FashionClassifier(long seed) {
        Rng rng = new Rng(seed);
        DataType f = DataType.FLOAT;
        List<Layer> layers = List.of(
                new Reshape("flatten", PIXELS),
                new Dense("dense0", heUniform(rng, PIXELS, PIXELS, HIDDEN), Nd4j.zeros(f, 1, HIDDEN)), new Relu("relu0"),
                new Dense("dense1", heUniform(rng, HIDDEN, HIDDEN, FEATURES), Nd4j.zeros(f, 1, FEATURES)), new Relu("relu1"),
                new Dense("dense2", glorotUniform(rng, FEATURES, CLASSES), Nd4j.zeros(f, 1, CLASSES)));
        this.net = new Network("classifier", new long[] {1, SIDE, SIDE}, layers);
        this.featureLayer = 4;
    }

    private static INDArray uniform(Rng rng, double std, long... shape) {
        long n = 1;
        for (long s : shape) n *= s;
        double bound = std * Math.sqrt(3);
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
        return Nd4j.create(v, shape, 'c');
    }

    private static INDArray heUniform(Rng rng, long fanIn, long... shape) {
        return uniform(rng, Math.sqrt(2.0 / fanIn), shape);
    }

    private static INDArray glorotUniform(Rng rng, long in, long out) {
        return uniform(rng, Math.sqrt(2.0 / (in + out)), in, out);
    }

    public Network network() { return net; }

    /** Images from..from+count-1 of count x 784 pixels as an [count, 1, 28, 28] array. */
    public static INDArray batch(float[] images, int from, int count) {
        float[] v = new float[count * PIXELS];
        System.arraycopy(images, from * PIXELS, v, 0, v.length);
        return Nd4j.create(v, new long[] {count, 1, SIDE, SIDE}, 'c');
    }

    /**
     * Minibatch Adam on softmax cross-entropy over the given images (count x 784 pixels in [0, 1])
     * and labels, reshuffled each epoch by an Rng of the seed; reports progress a few times an epoch.
     * Returns the mean loss of the last epoch.
     */
    public double train(float[] images, int[] labels, int epochs, int batchSize, double lr, long seed, Consumer<String> progress) {
        int n = labels.length;
        if (images.length != n * PIXELS) throw new IllegalArgumentException(images.length + " pixels for " + n + " labels");
        Rng rng = new Rng(seed);
        Optimizer adam = Optimizer.of(OptimizerConfig.adam(lr, 0.9, 0.999), net.params());
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        float[] x = new float[batchSize * PIXELS];
        int[] y = new int[batchSize];
        int steps = n / batchSize;
        double epochLoss = 0;
        long start = System.nanoTime();
        for (int e = 0; e < epochs; e++) {
            for (int i = n - 1; i > 0; i--) { // Fisher-Yates
                int j = rng.nextInt(i + 1), t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            double sum = 0;
            int correct = 0;
            for (int s = 0; s < steps; s++) {
                for (int b = 0; b < batchSize; b++) {
                    int k = order[s * batchSize + b];
                    System.arraycopy(images, k * PIXELS, x, b * PIXELS, PIXELS);
                    y[b] = labels[k];
                }
                net.zeroGrad();
                INDArray logits = net.forward(Nd4j.create(x, new long[] {batchSize, 1, SIDE, SIDE}, 'c'));
                SoftmaxCrossEntropy ce = SoftmaxCrossEntropy.of(logits, y);
                net.backward(ce.gradient(), true);
                adam.step(net.params());
                sum += ce.loss();
                correct += ce.correct();
                if (progress != null && (s + 1) % Math.max(1, steps / 4) == 0)
                    progress.accept(String.format(java.util.Locale.ROOT, "classifier epoch %d/%d, step %d/%d: loss %.3f, train accuracy %.1f%%, %.0f s",
                            e + 1, epochs, s + 1, steps, sum / (s + 1), 100.0 * correct / ((s + 1) * batchSize), (System.nanoTime() - start) / 1e9));
            }
            epochLoss = sum / steps;
        }
        return epochLoss;
    }

    public INDArray logits(INDArray x) {
        return net.forward(x);
    }

    /** The penultimate layer's activations, [n, FEATURES], for images [n, 1, 28, 28] (or [n, 784]) in [0, 1]. */
    public INDArray features(INDArray x) {
        if (x.rank() == 2) x = x.reshape('c', x.size(0), 1, SIDE, SIDE);
        x = x.castTo(DataType.FLOAT);
        List<Layer> layers = net.layers();
        for (int i = 0; i <= featureLayer; i++) x = layers.get(i).forward(x);
        return x;
    }

    /** The logits [n, CLASSES] of penultimate-layer features [n, FEATURES]: the layers after {@link #features(INDArray)}. */
    public INDArray logitsOfFeatures(INDArray features) {
        List<Layer> layers = net.layers();
        INDArray x = features;
        for (int i = featureLayer + 1; i < layers.size(); i++) x = layers.get(i).forward(x);
        return x;
    }

    /** Features of count images as double rows, in batches. */
    public double[][] features(float[] images, int count) {
        double[][] out = new double[count][];
        for (int from = 0; from < count; from += EVAL_BATCH) {
            int m = Math.min(EVAL_BATCH, count - from);
            double[] f = features(batch(images, from, m)).castTo(DataType.DOUBLE).dup('c').data().asDouble();
            for (int i = 0; i < m; i++) out[from + i] = java.util.Arrays.copyOfRange(f, i * FEATURES, (i + 1) * FEATURES);
        }
        return out;
    }

    /** The share of images whose largest logit is at their label. */
    public double accuracy(float[] images, int[] labels) {
        int correct = 0;
        for (int from = 0; from < labels.length; from += EVAL_BATCH) {
            int m = Math.min(EVAL_BATCH, labels.length - from);
            correct += SoftmaxCrossEntropy.of(logits(batch(images, from, m)), java.util.Arrays.copyOfRange(labels, from, from + m)).correct();
        }
        return (double) correct / labels.length;
    }

    public void write(DataOutputStream out) throws IOException {
        List<Param> ps = net.params();
        out.writeInt(ps.size());
        for (Param p : ps) ArrayIO.write(out, p.value);
    }

    public void read(DataInputStream in) throws IOException {
        List<Param> ps = net.params();
        int n = in.readInt();
        if (n != ps.size()) throw new IOException("saved classifier holds " + n + " tensors, this one " + ps.size());
        for (Param p : ps) ArrayIO.readInto(in, p.value);
    }
}

package io.wasserflow.models.quality;

import io.wasserflow.models.layers.Dense;
import io.wasserflow.models.layers.Param;
import io.wasserflow.models.layers.SoftmaxCrossEntropy;
import io.wasserflow.models.nets.Network;
import io.wasserflow.models.optim.Optimizer;
import io.wasserflow.models.optim.OptimizerConfig;
import java.util.List;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Feature quality by a linear probe (SCIENCE.md, BiGAN): a linear classifier, the project's own
 * dense layer under {@link SoftmaxCrossEntropy}, trained on frozen features of labelled training
 * images, and its accuracy on held-out test images. The features are standardised with the
 * training set's mean and deviation; the weights start at zero (the problem is convex, so no
 * seed enters) and take {@link #STEPS} full-batch Adam steps of {@link #LR}, in double precision.
 */
public final class LinearProbe {
    /** Measured on 2,000 separable and noise features: the training loss is flat well before 300 steps. */
    static final int STEPS = 300;
    static final double LR = 0.05;
    /** Images through a network at a time while extracting features. */
    static final int CHUNK = 250;

    private LinearProbe() {}

    /** Labelled images, [n, C, H, W], for a probe's training or test set. */
    public record Set(INDArray images, int[] labels) {
        public int count() { return labels.length; }
    }

    /** The probe's test accuracy on the features {@code features} gives the images of {@code train} and {@code test}. */
    public static double accuracy(UnaryOperator<INDArray> features, Set train, Set test, int classes) {
        return accuracy(extract(features, train.images()), train.labels(), extract(features, test.images()), test.labels(), classes);
    }

    /** An encoder's probe accuracy, the features being its outputs. */
    public static double accuracy(Network encoder, Set train, Set test, int classes) {
        DataType dtype = encoder.params().get(0).value.dataType();
        return accuracy(x -> encoder.forward(x.castTo(dtype)), train, test, classes);
    }

    static INDArray extract(UnaryOperator<INDArray> features, INDArray images) {
        long n = images.size(0);
        INDArray[] parts = new INDArray[(int) ((n + CHUNK - 1) / CHUNK)];
        for (int i = 0; i < parts.length; i++) {
            INDArray chunk = images.get(NDArrayIndex.interval((long) i * CHUNK, Math.min(n, (long) (i + 1) * CHUNK)));
            INDArray f = features.apply(chunk);
            parts[i] = f.reshape('c', f.size(0), f.length() / f.size(0)).castTo(DataType.DOUBLE);
        }
        return Nd4j.concat(0, parts);
    }

    /** Trains the probe on (trainFeatures [n, f], trainLabels) and returns its accuracy on the test features. */
    public static double accuracy(INDArray trainFeatures, int[] trainLabels, INDArray testFeatures, int[] testLabels, int classes) {
        INDArray train = trainFeatures.castTo(DataType.DOUBLE), test = testFeatures.castTo(DataType.DOUBLE);
        INDArray mean = train.mean(true, 0), sd = train.std(false, true, 0).addi(1e-8);
        train = train.subRowVector(mean).diviRowVector(sd);
        test = test.subRowVector(mean).diviRowVector(sd);
        long f = train.size(1);
        Dense probe = new Dense("probe", Nd4j.zeros(DataType.DOUBLE, f, classes), Nd4j.zeros(DataType.DOUBLE, 1, classes));
        List<Param> params = probe.params();
        Optimizer adam = Optimizer.of(OptimizerConfig.adam(LR, 0.9, 0.999), params);
        for (int step = 0; step < STEPS; step++) {
            for (Param p : params) p.zeroGrad();
            probe.backward(SoftmaxCrossEntropy.of(probe.forward(train), trainLabels).gradient(), true);
            adam.step(params);
        }
        return SoftmaxCrossEntropy.of(probe.forward(test), testLabels).correct() / (double) testLabels.length;
    }
}

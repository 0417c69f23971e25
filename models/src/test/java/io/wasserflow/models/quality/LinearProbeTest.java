package io.wasserflow.models.quality;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.util.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The probe's mechanics: features that separate the classes by construction give a high accuracy, noise gives chance. */
class LinearProbeTest {
    static final int CLASSES = 10, FEATURES = 32, TRAIN = 2000, TEST = 1000;

    static int[] labels(Rng rng, int n) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = rng.nextInt(CLASSES);
        return y;
    }

    /** Per sample, the class's centre (a fixed Gaussian vector of length about 2 sqrt(FEATURES)) times {@code separation}, plus N(0, I). */
    static INDArray features(Rng rng, int[] y, double[][] centres, double separation) {
        double[] v = new double[y.length * FEATURES];
        for (int i = 0; i < y.length; i++)
            for (int j = 0; j < FEATURES; j++) v[i * FEATURES + j] = separation * centres[y[i]][j] + rng.nextGaussian();
        return Nd4j.create(v, new long[] {y.length, 1, 1, FEATURES}, 'c');
    }

    static double probe(double separation, long seed) {
        Rng rng = new Rng(seed);
        double[][] centres = new double[CLASSES][FEATURES];
        for (double[] c : centres) for (int j = 0; j < FEATURES; j++) c[j] = 2 * rng.nextGaussian();
        int[] yTrain = labels(rng, TRAIN), yTest = labels(rng, TEST);
        LinearProbe.Set train = new LinearProbe.Set(features(rng, yTrain, centres, separation), yTrain);
        LinearProbe.Set test = new LinearProbe.Set(features(rng, yTest, centres, separation), yTest);
        return LinearProbe.accuracy(x -> x, train, test, CLASSES); // the flattened values are the features
    }

    @Test
    void separableFeaturesGiveAHighAccuracy() {
        double a = probe(1, 1);
        System.out.printf("linear probe on separable features: test accuracy %.3f%n", a);
        assertTrue(a > 0.95, "accuracy " + a);
    }

    @Test
    void noiseGivesChance() {
        // no class information: the accuracy on 1,000 test samples is 0.1 with a standard error of 0.0095
        double a = probe(0, 2);
        System.out.printf("linear probe on noise: test accuracy %.3f (chance 0.1)%n", a);
        assertTrue(a > 0.05 && a < 0.15, "accuracy " + a);
    }
}

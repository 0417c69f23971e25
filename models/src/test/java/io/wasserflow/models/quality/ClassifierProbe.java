package io.wasserflow.models.quality;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Not a test: trains the classifier on the first N training images and prints its test accuracy
 * and timings, to choose a recipe. Arguments: images epochs batch lr; -Done=1 limits ND4J to one
 * thread (or run it with OMP_NUM_THREADS=1, which also stops OpenMP's spinning on a loaded machine).
 */
public class ClassifierProbe {
    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[0]), epochs = Integer.parseInt(a[1]);
        Idx.Data train = Idx.read("train", n), test = Idx.read("t10k", 10000);
        if (System.getProperty("one") != null) {
            Nd4j.getEnvironment().setMaxThreads(1);
            Nd4j.getEnvironment().setMaxMasterThreads(1);
            Nd4j.factory().blas().setMaxThreads(1);
        }
        FashionClassifier c = new FashionClassifier(1);
        long t0 = System.nanoTime();
        c.train(train.images(), train.labels(), epochs, Integer.parseInt(a[2]), Double.parseDouble(a[3]), 2, System.out::println);
        long t1 = System.nanoTime();
        System.out.printf("train %.1f s, test accuracy %.4f (%.1f s)%n", (t1 - t0) / 1e9, c.accuracy(test.images(), test.labels()), (System.nanoTime() - t1) / 1e9);
    }
}

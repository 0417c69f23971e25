package io.wasserflow.models.quality;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sample quality of Fashion-MNIST-like images beyond the critic (SCIENCE.md): the Fréchet
 * distance between Gaussians fitted to {@link FashionClassifier} features of generated images
 * and of real ones, and the birthday-paradox count of near-duplicate pairs among the generated
 * images, with its threshold calibrated on real batches of the same size, and the classifier's
 * labels of the generated images ({@link ClassCoverage}: classes covered, their KL divergence from
 * uniform, the Inception-style score). The trained classifier
 * and the real statistics are computed once per {@link Recipe} and cached in one file.
 */
public final class ImageQuality {
    /** Generated images per evaluation, and the size of the real batches the duplicate threshold is calibrated on. */
    public static final int SAMPLES = 512;
    static final int MAGIC = 0x57465143; // "WFQC"

    /** How the classifier is trained and the real statistics taken; its key names the cache file. */
    public record Recipe(long seed, int epochs, int batchSize, double lr, int trainImages, int referenceImages) {
        public String key() {
            String text = String.format(Locale.ROOT, "%s seed=%d epochs=%d batch=%d lr=%s train=%d reference=%d samples=%d quantile=%s",
                    FashionClassifier.ARCHITECTURE, seed, epochs, batchSize, lr, trainImages, referenceImages, SAMPLES, BirthdayDuplicates.REAL_QUANTILE);
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8))).substring(0, 12);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        public String fileName() {
            return "fashion-classifier-" + key() + ".bin";
        }
    }

    /** All 60,000 training images twice: about 86% test accuracy, under a minute on two free cores. */
    public static final Recipe DEFAULT = new Recipe(20170704L, 2, 100, 1e-3, 60000, 10000);

    /** Images as count x 784 pixels in [0, 1], and their labels (0-9). */
    public record Images(float[] pixels, int[] labels) {
        public int count() { return labels.length; }

        public Images first(int n) {
            n = Math.min(n, count());
            return new Images(java.util.Arrays.copyOf(pixels, n * FashionClassifier.PIXELS), java.util.Arrays.copyOf(labels, n));
        }
    }

    /** One evaluation: the Fréchet distance to the real statistics, the near-duplicate pairs and the classes. */
    public record Result(double frechetDistance, int birthdayDuplicates, int samples, ClassCoverage classes) {}

    private final FashionClassifier classifier;
    private final Frechet.Gaussian reference;
    private final double threshold, testAccuracy;

    ImageQuality(FashionClassifier classifier, Frechet.Gaussian reference, double threshold, double testAccuracy) {
        this.classifier = classifier;
        this.reference = reference;
        this.threshold = threshold;
        this.testAccuracy = testAccuracy;
    }

    public FashionClassifier classifier() { return classifier; }
    public Frechet.Gaussian reference() { return reference; }
    /** The near-duplicate distance in feature space. */
    public double threshold() { return threshold; }
    /** The classifier's accuracy on the test images it was checked on (NaN when there were none). */
    public double testAccuracy() { return testAccuracy; }

    /**
     * The real statistics of a trained classifier: the Gaussian of the features of all the given
     * images, and the duplicate threshold over their consecutive batches of {@link #SAMPLES}.
     */
    public static ImageQuality calibrate(FashionClassifier c, Images real, double testAccuracy) {
        double[][] f = c.features(real.pixels(), real.count());
        List<double[][]> batches = new ArrayList<>();
        for (int from = 0; from + SAMPLES <= f.length; from += SAMPLES) batches.add(java.util.Arrays.copyOfRange(f, from, from + SAMPLES));
        if (batches.isEmpty()) throw new IllegalArgumentException("calibration needs at least " + SAMPLES + " real images, got " + f.length);
        return new ImageQuality(c, Frechet.Gaussian.fit(f), BirthdayDuplicates.threshold(batches), testAccuracy);
    }

    /** Trains the classifier by the recipe (progress lines to the consumer), checks it on the test images, calibrates on the training ones. */
    public static ImageQuality train(Recipe r, Images train, Images test, Consumer<String> progress) {
        Images used = train.first(r.trainImages());
        FashionClassifier c = new FashionClassifier(r.seed());
        c.train(used.pixels(), used.labels(), r.epochs(), r.batchSize(), r.lr(), r.seed() + 1, progress);
        double accuracy = test == null || test.count() == 0 ? Double.NaN : c.accuracy(test.pixels(), test.labels());
        if (progress != null && !Double.isNaN(accuracy))
            progress.accept(String.format(Locale.ROOT, "classifier test accuracy %.2f%% on %d images", 100 * accuracy, test.count()));
        return calibrate(c, train.first(r.referenceImages()), accuracy);
    }

    /** The measures of generated images [n, 1, 28, 28] (or [n, 784]) in [0, 1], n >= 2. */
    public synchronized Result evaluate(INDArray images) { // the classifier's layers keep their inputs: one evaluation at a time
        INDArray f = classifier.features(images);
        double[][] features = rows(f, FashionClassifier.FEATURES), logits = rows(classifier.logitsOfFeatures(f), FashionClassifier.CLASSES);
        return new Result(Frechet.distance(Frechet.Gaussian.fit(features), reference), BirthdayDuplicates.count(features, threshold), features.length,
                ClassCoverage.of(logits));
    }

    private static double[][] rows(INDArray a, int width) {
        double[] v = a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[][] out = new double[v.length / width][];
        for (int i = 0; i < out.length; i++) out[i] = java.util.Arrays.copyOfRange(v, i * width, (i + 1) * width);
        return out;
    }

    public void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp"); // two writers never share one
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
            out.writeInt(MAGIC);
            out.writeUTF(FashionClassifier.ARCHITECTURE);
            classifier.write(out);
            int d = reference.dim();
            out.writeInt(d);
            for (double m : reference.mean()) out.writeDouble(m);
            for (double[] row : reference.cov()) for (double v : row) out.writeDouble(v);
            out.writeDouble(threshold);
            out.writeDouble(testAccuracy);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static ImageQuality read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (in.readInt() != MAGIC) throw new IOException(file + " is not a cached classifier");
            String arch = in.readUTF();
            if (!arch.equals(FashionClassifier.ARCHITECTURE)) throw new IOException(file + " holds a " + arch + " classifier, not " + FashionClassifier.ARCHITECTURE);
            FashionClassifier c = new FashionClassifier(0);
            c.read(in);
            int d = in.readInt();
            if (d != FashionClassifier.FEATURES) throw new IOException(file + " holds " + d + " features");
            double[] mean = new double[d];
            double[][] cov = new double[d][d];
            for (int j = 0; j < d; j++) mean[j] = in.readDouble();
            for (double[] row : cov) for (int j = 0; j < d; j++) row[j] = in.readDouble();
            double threshold = in.readDouble(), accuracy = in.readDouble();
            return new ImageQuality(c, new Frechet.Gaussian(mean, cov), threshold, accuracy);
        }
    }

    /**
     * The cached classifier of the recipe in cacheDir, or (when absent or unreadable) one trained on
     * the data the supplier gives ([train, test]) and saved there for next time.
     */
    public static ImageQuality loadOrTrain(Path cacheDir, Recipe r, Supplier<Images[]> data, Consumer<String> progress) throws IOException {
        Path file = cacheDir.resolve(r.fileName());
        if (Files.isRegularFile(file)) {
            try {
                return read(file);
            } catch (IOException e) {
                if (progress != null) progress.accept("cached classifier " + file + " unreadable (" + e.getMessage() + "); training it again");
            }
        }
        if (progress != null) progress.accept("no cached classifier " + file + ": training it once");
        Images[] d = data.get();
        ImageQuality q = train(r, d[0], d.length > 1 ? d[1] : null, progress);
        q.write(file);
        if (progress != null) progress.accept("classifier cached in " + file);
        return q;
    }
}

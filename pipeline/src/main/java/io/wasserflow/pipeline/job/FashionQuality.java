package io.wasserflow.pipeline.job;

import io.wasserflow.models.quality.ImageQuality;
import io.wasserflow.pipeline.source.FashionMnist;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Fashion-MNIST quality classifier of this JVM (SCIENCE.md, "Judging sample quality beyond
 * the critic"), shared by every experiment in it: read from {@code <cache>/fashion-classifier-<hash>.bin},
 * or, the first time, trained on the installed Fashion-MNIST on a background thread (progress on
 * stdout) and cached, so training never stalls a training step. Completes with null, after one
 * logged line, when there is neither a cache nor Fashion-MNIST.
 */
final class FashionQuality {
    private static final Logger LOG = LoggerFactory.getLogger(FashionQuality.class);
    private static final Map<Path, CompletableFuture<ImageQuality>> BY_CACHE = new ConcurrentHashMap<>();

    private FashionQuality() {}

    /** The folder of cached classifiers: $WASSERFLOW_CACHE, else {@code <workdir>/cache} for a run saved in {@code <workdir>/runs/<run>}, else wasserflow-data/cache. */
    static Path cacheDir(String saveDir) {
        String env = System.getenv("WASSERFLOW_CACHE");
        if (env != null && !env.isBlank()) return Path.of(env);
        if (saveDir != null) {
            Path runs = Path.of(saveDir).toAbsolutePath().getParent();
            if (runs != null && runs.getFileName() != null && runs.getFileName().toString().equals("runs") && runs.getParent() != null)
                return runs.getParent().resolve("cache");
        }
        return Path.of("wasserflow-data", "cache");
    }

    /**
     * The classifier for this cache folder: read at once when cached (a fraction of a second), else
     * trained on a background thread on first use.
     */
    static CompletableFuture<ImageQuality> of(Path cacheDir, Path dataDir) {
        return BY_CACHE.computeIfAbsent(cacheDir.toAbsolutePath().normalize(), dir -> {
            CompletableFuture<ImageQuality> f = new CompletableFuture<>();
            Path cached = dir.resolve(ImageQuality.DEFAULT.fileName());
            if (Files.isRegularFile(cached)) {
                try {
                    f.complete(ImageQuality.read(cached));
                    say("image quality: classifier read from " + cached);
                    return f;
                } catch (IOException e) {
                    say("image quality: cached classifier " + cached + " unreadable (" + e.getMessage() + "); training it again");
                }
            }
            Thread t = new Thread(() -> {
                try {
                    // one OpenMP thread beside the trainers (left alone, a new thread's team is every core), and the same
                    // classifier on every machine: libnd4j splits its sums by the team's size
                    BlasThreads.team(1);
                    f.complete(load(dir, dataDir));
                } catch (Throwable e) {
                    say("image quality: the classifier could not be loaded or trained (" + e + "); the Fréchet distance, birthday test and class coverage are skipped");
                    LOG.warn("quality classifier", e);
                    f.complete(null);
                }
            }, "wasserflow-quality-classifier");
            t.setDaemon(true);
            t.start();
            return f;
        });
    }

    static ImageQuality load(Path cacheDir, Path dataDir) throws IOException {
        ImageQuality.Recipe recipe = ImageQuality.DEFAULT;
        Path file = cacheDir.resolve(recipe.fileName());
        if (!Files.isRegularFile(file) && !FashionMnist.installed(dataDir)) {
            say("image quality: no cached classifier " + file + " and no Fashion-MNIST in " + dataDir
                    + " (apt-get install dataset-fashion-mnist); the Fréchet distance, birthday test and class coverage are skipped");
            return null;
        }
        long t0 = System.nanoTime();
        ImageQuality q = ImageQuality.loadOrTrain(cacheDir, recipe, () -> {
            try {
                ImageQuality.Images train = FashionMnist.load(dataDir).images();
                ImageQuality.Images test = FashionMnist.testInstalled(dataDir) ? FashionMnist.loadTest(dataDir).images() : null;
                return new ImageQuality.Images[] {train, test};
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, FashionQuality::say);
        String accuracy = Double.isNaN(q.testAccuracy()) ? "not checked" : String.format(java.util.Locale.ROOT, "%.1f%%", 100 * q.testAccuracy());
        say(String.format(java.util.Locale.ROOT, "image quality: classifier ready in %.1f s (test accuracy %s, %s)", (System.nanoTime() - t0) / 1e9, accuracy, file));
        return q;
    }

    private static void say(String line) {
        System.out.println(line);
        LOG.info(line);
    }
}

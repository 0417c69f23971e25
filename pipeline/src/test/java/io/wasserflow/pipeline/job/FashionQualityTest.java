package io.wasserflow.pipeline.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wasserflow.models.quality.FashionClassifier;
import io.wasserflow.models.quality.ImageQuality;
import io.wasserflow.pipeline.source.FashionMnist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the job finds its quality classifier, and what it does without one. */
class FashionQualityTest {
    @Test
    void theCacheSitsInTheWorkdirOfTheRun(@TempDir Path tmp) {
        assumeTrue(System.getenv("WASSERFLOW_CACHE") == null);
        Path run = tmp.resolve("work/runs/r1");
        assertEquals(tmp.resolve("work/cache").toAbsolutePath(), FashionQuality.cacheDir(run.toString()));
        assertEquals(Path.of("wasserflow-data", "cache"), FashionQuality.cacheDir(null));
        assertEquals(Path.of("wasserflow-data", "cache"), FashionQuality.cacheDir(tmp.resolve("elsewhere").toString()));
    }

    @Test
    void withNeitherCacheNorDataItIsSkipped(@TempDir Path tmp) throws Exception {
        assertNull(FashionQuality.of(tmp.resolve("cache"), tmp.resolve("no-data")).get(30, TimeUnit.SECONDS));
        assertEquals(0, Files.exists(tmp.resolve("cache")) ? Files.list(tmp.resolve("cache")).count() : 0);
    }

    @Test
    void aCachedClassifierNeedsNoData(@TempDir Path tmp) throws Exception {
        assumeTrue(FashionMnist.installed(FashionMnist.DEFAULT_DIR));
        ImageQuality.Images few = FashionMnist.load(FashionMnist.DEFAULT_DIR).images().first(1024);
        FashionClassifier c = new FashionClassifier(1);
        c.train(few.pixels(), few.labels(), 1, 64, 1e-3, 2, null);
        ImageQuality.calibrate(c, few, Double.NaN).write(tmp.resolve("cache").resolve(ImageQuality.DEFAULT.fileName()));
        ImageQuality q = FashionQuality.of(tmp.resolve("cache"), tmp.resolve("no-data")).get(30, TimeUnit.SECONDS);
        assertNotNull(q);
        assertEquals(ImageQuality.SAMPLES, q.evaluate(FashionClassifier.batch(few.pixels(), 0, ImageQuality.SAMPLES)).samples());
    }
}

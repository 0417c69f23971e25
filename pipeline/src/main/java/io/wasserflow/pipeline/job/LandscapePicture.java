package io.wasserflow.pipeline.job;

import io.wasserflow.models.data.Toy2D;
import io.wasserflow.models.diagnostics.CriticLandscape;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.models.util.Rng;
import io.wasserflow.pipeline.render.Landscape;
import io.wasserflow.pipeline.source.Datasets;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The critic's landscape on 2-D data, drawn at every samples step: served at
 * {@code /landscapes/<run>/<experiment>.png}, kept in the run's {@code landscapes/} folder, drawn
 * over time in the report.
 */
public final class LandscapePicture {
    private LandscapePicture() {}

    /** Grid points per axis of a landscape, and generated and real points drawn on it. */
    static final int LANDSCAPE_GRID = 64, LANDSCAPE_POINTS = 256;

    /**
     * The critic's landscape over the real data's square (a quarter of its span added on each side),
     * with fresh real and generated points on it; null for image data. Its noise comes from the
     * experiment's seed and step, never from the training stream. Null for a BiGAN too: its joint
     * critic reads (x, z), not a point of the plane.
     */
    public static byte[] of(Trainer t, String dataset) {
        if (!Datasets.isToy(dataset) || t.config().bigan()) return null;
        ExperimentConfig c = t.config();
        long g = t.generatorSteps();
        Toy2D data = Toy2D.byId(dataset);
        Rng rng = new Rng(~(c.seed() + g));
        double[] truth = data.sample(rng, 4 * LANDSCAPE_POINTS);
        double x0 = Double.POSITIVE_INFINITY, x1 = Double.NEGATIVE_INFINITY, y0 = Double.POSITIVE_INFINITY, y1 = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < truth.length; i += 2) {
            x0 = Math.min(x0, truth[i]);
            x1 = Math.max(x1, truth[i]);
            y0 = Math.min(y0, truth[i + 1]);
            y1 = Math.max(y1, truth[i + 1]);
        }
        double half = 0.75 * Math.max(x1 - x0, y1 - y0), cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
        CriticLandscape l = CriticLandscape.of(
                t.critic(), c.dtype(), cx - half, cx + half, cy - half, cy + half, LANDSCAPE_GRID);
        double[] xy = t.sample(LANDSCAPE_POINTS, ~(c.seed() ^ g)).castTo(DataType.DOUBLE).data().asDouble();
        double[][] real = new double[LANDSCAPE_POINTS][], fake = new double[LANDSCAPE_POINTS][];
        for (int i = 0; i < LANDSCAPE_POINTS; i++) {
            real[i] = new double[] {truth[2 * i], truth[2 * i + 1]};
            fake[i] = new double[] {xy[2 * i], xy[2 * i + 1]};
        }
        return Landscape.png(l, real, fake, String.format(Locale.ROOT, "%s: the critic at generator step %d", c.name(), g));
    }
}

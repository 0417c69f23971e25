package io.wasserflow.pipeline.render;

import io.wasserflow.models.data.Toy2D;
import io.wasserflow.models.train.Interpolation;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.models.util.Rng;
import io.wasserflow.pipeline.source.Datasets;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;

/** The picture of a generator along straight lines in its latent space ({@link Interpolation}), for `sample --interpolate` and the report. */
public final class LatentLines {
    /** Points of the true density under a 2-D picture, as under the scatter of samples. */
    static final int REAL_POINTS = 1000;

    private LatentLines() {}

    /**
     * The picture of an interpolation: a grid, one line a row, endpoints in the first and last
     * columns; for 2-D data the lines' points over a scatter of the true density.
     */
    public static byte[] png(Trainer trainer, Interpolation lines, String dataset) {
        float[] v = lines.through(trainer).castTo(DataType.FLOAT).data().asFloat();
        int count = lines.rows() * lines.steps();
        String title = String.format(Locale.ROOT, "%s, generator step %d: %d latent lines", trainer.config().name(), trainer.generatorSteps(), lines.rows());
        if (Datasets.isToy(dataset)) {
            double[][] path = new double[count][];
            for (int i = 0; i < count; i++) path[i] = new double[] {v[2 * i], v[2 * i + 1]};
            double[] truth = Toy2D.byId(dataset).sample(new Rng(0), REAL_POINTS);
            double[][] real = new double[truth.length / 2][];
            for (int i = 0; i < real.length; i++) real[i] = new double[] {truth[2 * i], truth[2 * i + 1]};
            return Scatter.png(path, real, title);
        }
        long[] s = trainer.dataShape();
        return SampleGrid.png(v, count, (int) s[0], (int) s[1], (int) s[2], lines.steps());
    }
}

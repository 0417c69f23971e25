package io.wasserflow.pipeline.report;

import io.wasserflow.models.data.Gaussian1D;
import io.wasserflow.models.diagnostics.LineProfile;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.run.RunDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the report's Figure 2 draws for a run on the line: each experiment's final critic, restored
 * from the state it saved in the run folder, read along a grid of x through both modes.
 */
public final class LineProfiles {
    /** Points per unit of x, and how far beyond the modes the grid reaches, in standard deviations. */
    static final int GRID_PER_UNIT = 40, GRID_MARGIN_STD = 4;

    private LineProfiles() {}

    /** One experiment's profile and the mode of the fake it trained against. */
    public record Entry(ExperimentConfig config, double fakeMean, LineProfile profile) {}

    /** The profiles of the experiments with a saved final state, in config order. */
    public static Map<String, Entry> of(RunDir dir, RunConfig config) throws IOException {
        Map<String, Entry> out = new LinkedHashMap<>();
        double muR = Gaussian1D.REAL_MEAN, s = Gaussian1D.STD;
        for (ExperimentConfig c : config.experiments()) {
            Path state = dir.state(c.name());
            if (state == null) continue;
            Trainer t = new Trainer(c, config.dataShape());
            t.restoreState(Files.readAllBytes(state));
            double muF = c.fixedGenerator() != null ? c.fixedGenerator().mean() : Gaussian1D.FAKE_MEAN;
            double lo = Math.min(muR, muF) - GRID_MARGIN_STD * s, hi = Math.max(muR, muF) + GRID_MARGIN_STD * s;
            LineProfile p = LineProfile.of(t.critic(), c.loss(), LineProfile.grid(lo, hi, (int) Math.round((hi - lo) * GRID_PER_UNIT) + 1));
            out.put(c.name(), new Entry(c, muF, p));
        }
        return out;
    }
}

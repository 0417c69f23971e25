package io.wasserflow.pipeline.testing;

import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.pipeline.config.RunConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The trainers a run saved: each experiment's final state, {@code NAME.state} in the folder, restored. */
public final class SavedTrainers {
    private SavedTrainers() {}

    /** By experiment name, in the config's order. */
    public static Map<String, Trainer> in(Path dir, RunConfig config) throws IOException {
        Map<String, Trainer> out = new LinkedHashMap<>();
        for (ExperimentConfig c : config.experiments()) {
            Trainer t = new Trainer(c, config.dataShape());
            t.restoreState(Files.readAllBytes(dir.resolve(c.name() + ".state")));
            out.put(c.name(), t);
        }
        return out;
    }
}

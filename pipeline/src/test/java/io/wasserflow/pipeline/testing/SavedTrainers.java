package io.wasserflow.pipeline.testing;

import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.run.ExperimentResult;
import io.wasserflow.pipeline.run.RunDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The trainers a run saved: each experiment's final state, {@code NAME.state} in the folder, restored:
 * the tests' independent check of what the job wrote (the product reads the results, it never rebuilds networks to hash them).
 */
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

    /** The run digest of these trainers, from their own parameters: what the manifest's should be. */
    public static String runDigest(Map<String, Trainer> trainers) {
        Map<String, ExperimentResult> results = new LinkedHashMap<>();
        trainers.forEach((name, t) -> results.put(name, new ExperimentResult(name, t.parameterDigest(), t.generatorSteps(), t.criticSteps(), false)));
        return RunDir.runDigest(results);
    }
}

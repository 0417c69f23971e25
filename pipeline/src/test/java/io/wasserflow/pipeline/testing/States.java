package io.wasserflow.pipeline.testing;

import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.run.ExperimentResult;
import io.wasserflow.pipeline.run.RunDir;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The trainers a run left in a folder, rebuilt from their saved states: the tests' independent check
 * of what the job wrote (the product itself reads the results, it never rebuilds networks to hash them).
 */
public final class States {
    private States() {}

    /** Every experiment of the config with a saved state in {@code dir}, in config order. */
    public static Map<String, Trainer> load(RunConfig config, Path dir) {
        Map<String, Trainer> out = new LinkedHashMap<>();
        for (ExperimentConfig c : config.experiments()) {
            Path f = dir.resolve(c.name() + ".state");
            if (!Files.exists(f)) continue;
            out.put(c.name(), load(c, config.dataShape(), f));
        }
        return out;
    }

    public static Trainer load(ExperimentConfig c, long[] dataShape, Path state) {
        Trainer t = new Trainer(c, dataShape);
        try {
            t.restoreState(Files.readAllBytes(state));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return t;
    }

    /** The run digest of these trainers, computed from their parameters as the manifest's should be. */
    public static String runDigest(Map<String, Trainer> trainers) {
        Map<String, ExperimentResult> results = new LinkedHashMap<>();
        trainers.forEach((name, t) -> results.put(name, new ExperimentResult(name, t.parameterDigest(), t.generatorSteps(), t.criticSteps(), false)));
        return RunDir.runDigest(results);
    }
}

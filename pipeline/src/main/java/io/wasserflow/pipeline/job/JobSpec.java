package io.wasserflow.pipeline.job;

import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.run.RunDir;
import java.io.Serializable;
import java.util.List;

/**
 * What the job is handed, typed and serializable: nothing below the config parses YAML.
 *
 * @param dataShape one sample's [channels, height, width]
 * @param runDir where the job writes final states, results, end offsets and sample pictures (null: nowhere)
 * @param maxGeneratorSteps an experiment stops training after this many generator steps, or critic steps when
 *     its generator is fixed (0: never)
 * @param progress print a progress line per experiment every few seconds
 */
public record JobSpec(String runId, String dataset, long[] dataShape, List<ExperimentConfig> experiments, Topics topics, RunDir runDir,
        long maxGeneratorSteps, boolean progress) implements Serializable {

    public JobSpec {
        dataShape = dataShape.clone();
        experiments = List.copyOf(experiments);
    }

    public static JobSpec of(RunConfig config, String runId, Topics topics, RunDir runDir) {
        return new JobSpec(runId, config.dataset(), config.dataShape(), config.experiments(), topics, runDir, 0, false);
    }

    public JobSpec withGeneratorSteps(long steps) {
        return new JobSpec(runId, dataset, dataShape, experiments, topics, runDir, steps, progress);
    }

    public JobSpec withProgress() {
        return new JobSpec(runId, dataset, dataShape, experiments, topics, runDir, maxGeneratorSteps, true);
    }
}

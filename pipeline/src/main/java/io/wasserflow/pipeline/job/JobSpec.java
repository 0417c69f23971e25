package io.wasserflow.pipeline.job;

import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.config.RunConfig.TrainerSlots;
import io.wasserflow.pipeline.config.Sweep;
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
 * @param trainer how many trainer subtasks (0: the job's parallelism) and the BLAS threads of each
 * @param sweep which method and setting each experiment came from ({@link Sweep#NONE} without a sweep)
 */
public record JobSpec(String runId, String dataset, long[] dataShape, List<ExperimentConfig> experiments, Topics topics, RunDir runDir,
        long maxGeneratorSteps, boolean progress, TrainerSlots trainer, Sweep sweep) implements Serializable {

    public JobSpec {
        dataShape = dataShape.clone();
        experiments = List.copyOf(experiments);
        if (sweep == null) sweep = Sweep.NONE;
    }

    public static JobSpec of(RunConfig config, String runId, Topics topics, RunDir runDir) {
        return new JobSpec(runId, config.dataset(), config.dataShape(), config.experiments(), topics, runDir, 0, false, config.trainer(), config.sweep());
    }

    public JobSpec withGeneratorSteps(long steps) {
        return new JobSpec(runId, dataset, dataShape, experiments, topics, runDir, steps, progress, trainer, sweep);
    }

    public JobSpec withProgress() {
        return new JobSpec(runId, dataset, dataShape, experiments, topics, runDir, maxGeneratorSteps, true, trainer, sweep);
    }

    /** The same job on this many trainer subtasks (0: the job's parallelism), for tests and benchmarks. */
    public JobSpec withTrainerParallelism(int parallelism) {
        return new JobSpec(runId, dataset, dataShape, experiments, topics, runDir, maxGeneratorSteps, progress,
                new TrainerSlots(parallelism, trainer.blasThreads()), sweep);
    }

    /** The same job with this many BLAS threads a trainer (the benchmarks match their bare trainer's). */
    public JobSpec withBlasThreads(int threads) {
        return new JobSpec(runId, dataset, dataShape, experiments, topics, runDir, maxGeneratorSteps, progress,
                new TrainerSlots(trainer.parallelism(), threads), sweep);
    }

    /** The trainer subtasks of a job whose parallelism is {@code jobParallelism}: the config's, else the job's, at most one an experiment. */
    public int trainerParallelism(int jobParallelism) {
        int p = trainer.parallelism() > 0 ? trainer.parallelism() : jobParallelism;
        return Math.max(1, Math.min(experiments.size(), p));
    }
}

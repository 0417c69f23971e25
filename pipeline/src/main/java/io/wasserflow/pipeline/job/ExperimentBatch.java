package io.wasserflow.pipeline.job;

/** One decoded batch addressed to one experiment (by its index in the config). */
public class ExperimentBatch {
    public int experiment;
    public ImageRecord batch;

    public ExperimentBatch() {}

    public ExperimentBatch(int experiment, ImageRecord batch) {
        this.experiment = experiment;
        this.batch = batch;
    }
}

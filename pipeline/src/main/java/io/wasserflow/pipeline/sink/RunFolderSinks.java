package io.wasserflow.pipeline.sink;

import io.wasserflow.pipeline.job.Diagnostics.SamplePicture;
import io.wasserflow.pipeline.run.RunDir;

/** Sample pictures into the run's folder, where report and the summary find them after the run. */
public final class RunFolderSinks {
    private RunFolderSinks() {}

    public static ForEachSink<SamplePicture> samples(RunDir dir) {
        return new ForEachSink<>(() -> s -> dir.writePicture(s.kind(), s.experiment(), s.generatorStep(), s.png()));
    }
}

package io.wasserflow.pipeline.bench;

import io.wasserflow.models.diagnostics.StepProfile;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * `bench --profile`: where the bare trainer's critic step spends its time, per phase of the step and
 * per kernel (a layer's pass, an optimizer update, the clipping pass), in milliseconds per critic
 * step with the generator step amortised over its n_critic critic steps.
 */
final class ProfileBench {
    private ProfileBench() {}

    static void run(String arch, String constraint, double seconds, double warmup) {
        ExperimentConfig cfg = Bench.config(arch, constraint);
        Trainer trainer = new Trainer(cfg, Bench.shape(cfg));
        List<INDArray> batches = Bench.batches(cfg, 16);
        int i = 0;
        for (long end = System.nanoTime() + (long) (warmup * 1e9); System.nanoTime() < end; ) trainer.step(batches.get(i++ % batches.size()));
        StepProfile profile = StepProfile.start();
        long steps = 0, start = System.nanoTime();
        try {
            for (long end = start + (long) (seconds * 1e9); System.nanoTime() < end; steps++) trainer.step(batches.get(i++ % batches.size()));
        } finally {
            StepProfile.stop();
        }
        double perStep = (System.nanoTime() - start) / 1e6 / steps;
        System.out.printf(Locale.ROOT, "%nprofile: %s, %s, %d critic steps, %.2f ms per critic step (%s)%n", arch, constraint, steps, perStep, trainer);
        print("phase", profile.phases(), steps, perStep);
        print("kernel", profile.kernels(), steps, perStep);
    }

    private static void print(String what, Map<String, long[]> rows, long steps, double perStep) {
        System.out.printf(Locale.ROOT, "%n%-52s %10s %8s %12s%n", what, "ms/step", "share", "calls/step");
        List<Map.Entry<String, long[]>> sorted = new ArrayList<>(rows.entrySet());
        if (what.equals("kernel")) sorted.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
        double covered = 0;
        for (Map.Entry<String, long[]> e : sorted) {
            double ms = e.getValue()[0] / 1e6 / steps;
            covered += ms;
            System.out.printf(Locale.ROOT, "%-52s %10.3f %7.1f%% %12.2f%n", e.getKey(), ms, 100 * ms / perStep, e.getValue()[1] / (double) steps);
        }
        if (what.equals("kernel"))
            System.out.printf(Locale.ROOT, "%-52s %10.3f %7.1f%%%n", "(outside the kernels: losses, penalty arithmetic, noise, workspace)", perStep - covered, 100 * (perStep - covered) / perStep);
    }
}

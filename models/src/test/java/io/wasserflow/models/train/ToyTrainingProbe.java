package io.wasserflow.models.train;

import io.wasserflow.models.data.Toy2D;
import io.wasserflow.models.diagnostics.ToyQuality;
import io.wasserflow.models.nets.Architecture;
import io.wasserflow.models.optim.OptimizerConfig;
import io.wasserflow.models.util.Rng;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Not a test: a probe for choosing the fast CI configuration (run by hand). */
public class ToyTrainingProbe {
    public static void main(String[] args) {
        int width = Integer.parseInt(args[0]);
        double lr = Double.parseDouble(args[1]);
        int genSteps = Integer.parseInt(args[2]);
        long seed = Long.parseLong(args[3]);
        String init = args.length > 4 ? args[4] : "he";
        ExperimentConfig cfg = ExperimentConfig.builder("gp", true, Loss.WGAN, "gp")
                .architecture(Architecture.mlp(3, width)).optimizer(OptimizerConfig.adam(lr, 0.5, 0.9)).seed(seed)
                .init(io.wasserflow.models.nets.Init.valueOf(init.toUpperCase()))
                .normsEvery(0).histogramsEvery(0).samplesEvery(0)
                .build();
        Trainer t = new Trainer(cfg, new long[] {1, 1, 2});
        Rng data = new Rng(seed + 1000);
        long start = System.nanoTime();
        long warm = 0; long warmStart = 0;
        while (t.generatorSteps() < genSteps) {
            if (t.criticSteps() == 25) { warmStart = System.nanoTime(); warm = t.criticSteps(); }
            double[] xy = Toy2D.EIGHT_GAUSSIANS.sample(data, cfg.batchSize());
            INDArray real = Nd4j.create(xy, new long[] {cfg.batchSize(), 1, 1, 2}, 'c');
            t.step(real);
            if (t.generatorSteps() % 50 == 0 && t.criticSteps() % 5 == 0) {
                double[] s = t.sample(1000, 7).reshape(1000, 2).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).data().asDouble();
                System.out.printf("%.2f critic steps/s | ", (t.criticSteps() - warm) / ((System.nanoTime() - warmStart) / 1e9));
                System.out.printf("%5d gen steps %6.1fs  %s%n", t.generatorSteps(), (System.nanoTime() - start) / 1e9, ToyQuality.of(Toy2D.EIGHT_GAUSSIANS, s, new Rng(3)));
            }
        }
        double[] s = t.sample(2000, 7).reshape(2000, 2).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).data().asDouble();
        int[][] grid = new int[21][41];
        for (int i = 0; i < 2000; i++) {
            int gx = (int) Math.round((s[2 * i] + 2) / 4 * 40), gy = (int) Math.round((s[2 * i + 1] + 2) / 4 * 20);
            if (gx >= 0 && gx <= 40 && gy >= 0 && gy <= 20) grid[20 - gy][gx]++;
        }
        for (int[] row : grid) {
            StringBuilder b = new StringBuilder();
            for (int c : row) b.append(c == 0 ? '.' : c < 10 ? 'o' : c < 100 ? 'O' : '#');
            System.out.println(b);
        }
    }
}

package io.wasserflow.models.train;

import io.wasserflow.models.lipschitz.Penalty;
import io.wasserflow.models.nets.Architecture;
import io.wasserflow.models.nets.Network;
import io.wasserflow.models.optim.Optimizer;
import io.wasserflow.models.util.Rng;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Not a test: times each phase of a WGAN-GP critic step and a generator step (run by hand for the notes). */
public class PhaseProbe {
    public static void main(String[] args) {
        boolean toy = args[0].equals("toy");
        ExperimentConfig.Builder config = ExperimentConfig.builder("p", toy, Loss.WGAN, "gp");
        if (!toy) config.architecture(Architecture.dcgan(64)).batchSize(50);
        ExperimentConfig cfg = config.build();
        long[] shape = toy ? new long[] {1, 1, 2} : new long[] {1, 28, 28};
        Trainer t = new Trainer(cfg, shape);
        Network d = t.critic(), g = t.generator();
        Optimizer opt = Optimizer.of(cfg.optimizer(), d.params());
        int b = cfg.batchSize();
        Rng rng = new Rng(1);
        INDArray real = toy ? Nd4j.rand(DataType.FLOAT, b, 1, 1, 2) : Nd4j.rand(DataType.FLOAT, b, 1, 28, 28);
        Penalty pen = Penalty.of(cfg.constraint());
        String[] names = {"generator forward (fake)", "critic fwd on 2B", "critic bwd on 2B", "penalty: fwd+bwd at x-hat",
                "penalty: tangent fwd", "penalty: tangent bwd", "optimizer", "generator step (amortised /5)"};
        double[] ms = new double[names.length];
        int n = toy ? 40 : 8;
        for (int it = -3; it < n; it++) {
            long[] ts = new long[names.length + 1];
            int k = 0;
            ts[k++] = System.nanoTime();
            INDArray z = Noise.gaussian(rng, DataType.FLOAT, b, cfg.zDim());
            INDArray fake = g.forward(z).reshape(real.shape());
            ts[k++] = System.nanoTime();
            d.zeroGrad();
            INDArray out = d.forward(Nd4j.concat(0, real, fake));
            ts[k++] = System.nanoTime();
            d.backward(Loss.WGAN.critic(out, b).outputBar(), true, new double[d.linearLayers().size()]);
            ts[k++] = System.nanoTime();
            INDArray xHat = Penalty.interpolate(real, fake, Noise.uniform(rng, DataType.FLOAT, b, 1));
            INDArray gx = Penalty.inputGradients(d, xHat);
            ts[k++] = System.nanoTime();
            INDArray outDot = d.tangent(gx);
            ts[k++] = System.nanoTime();
            d.tangentBackward(null, Nd4j.onesLike(outDot));
            ts[k++] = System.nanoTime();
            opt.step(d.params());
            ts[k++] = System.nanoTime();
            new GeneratorStep(g, d, Loss.WGAN, Optimizer.of(cfg.optimizer(), g.params())).run(Noise.gaussian(rng, DataType.FLOAT, b, cfg.zDim()), null);
            ts[k] = System.nanoTime();
            if (it >= 0) for (int i = 0; i < names.length; i++) ms[i] += (ts[i + 1] - ts[i]) / 1e6 / n / (i == names.length - 1 ? 5 : 1);
        }
        double total = 0;
        for (double m : ms) total += m;
        for (int i = 0; i < names.length; i++) System.out.printf("%-32s %7.2f ms  %4.1f%%%n", names[i], ms[i], 100 * ms[i] / total);
        System.out.printf("%-32s %7.2f ms%n", "critic step", total);
    }
}

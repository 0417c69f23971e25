package io.wasserflow.models.nets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.data.Toy2D;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Loss;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.models.util.Rng;
import java.util.List;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** The estimate counts exactly the parameters the networks have, and bounds what training a step really takes. */
class MemoryEstimateTest {
    static final long[] TOY = {1, 1, 2}, FASHION = {1, 28, 28};

    @Test
    void parameterCountsAreTheBuiltNetworks() {
        List<Architecture> shapes = List.of(Architecture.mlp(3, 64), Architecture.mlp(0, 0), Architecture.mlp(2, 16).withNorms(Architecture.Norm.LAYERNORM, Architecture.Norm.BATCHNORM),
                Architecture.dcgan(4), Architecture.dcgan(8).withNorms(Architecture.Norm.LAYERNORM, Architecture.Norm.BATCHNORM), Architecture.dcgan(4).withGenerator(Architecture.mlp(4, 32)));
        for (Architecture a : shapes)
            for (long[] data : a.kind() == Architecture.Kind.DCGAN ? List.of(FASHION) : List.of(TOY, FASHION)) {
                ExperimentConfig c = ExperimentConfig.builder("e", data == TOY, Loss.WGAN, "gp").architecture(a).zDim(data == TOY ? 2 : 16).build();
                Rng rng = new Rng(1);
                long built = Networks.critic(a, data, c.init(), rng, DataType.FLOAT).parameterCount()
                        + Networks.generator(a, data, c.zDim(), c.init(), rng, DataType.FLOAT).parameterCount();
                assertEquals(built, MemoryEstimate.of(c, data).parameters(), a + " on " + java.util.Arrays.toString(data));
            }
    }

    @Test
    void theIssuesConfigIsFarBeyondAnyMachine() {
        ExperimentConfig c = ExperimentConfig.builder("big", true, Loss.WGAN, "gp").architecture(Architecture.mlp(64, 65536)).build();
        MemoryEstimate e = MemoryEstimate.of(c, TOY);
        assertEquals(65536L * 65536, e.largestTensor());
        assertTrue(e.largestTensor() > MemoryEstimate.MAX_TENSOR_ELEMENTS);
        assertTrue(e.offHeapBytes() > 1e12, e.describe());
    }

    /** The process's resident memory grows by less than the estimate and the JVM's fixed overhead while a real trainer takes steps, and not by far less. */
    @Test
    void trainingStaysWithinTheEstimate() {
        // the native libraries' own buffers (BLAS threads, oneDNN's JIT) come once per JVM: allocated here by a tiny run first
        Trainer warm = new Trainer(ExperimentConfig.builder("w", true, Loss.WGAN, "gp").architecture(Architecture.mlp(1, 8)).batchSize(256).build(), TOY);
        for (int i = 0; i < 3; i++) warm.step(Nd4j.create(Toy2D.EIGHT_GAUSSIANS.sample(new Rng(i), 256), new long[] {256, 1, 1, 2}, 'c').castTo(DataType.FLOAT));
        for (String constraint : List.of("gp", "clip")) {
            ExperimentConfig c = ExperimentConfig.builder("e", true, Loss.WGAN, constraint).architecture(Architecture.mlp(3, 512)).batchSize(256)
                    .normsEvery(1).histogramsEvery(1).build();
            System.gc();
            long before = Pointer.physicalBytes();
            Trainer t = new Trainer(c, TOY);
            Rng data = new Rng(3);
            long peak = 0;
            for (int i = 0; i < 12; i++) {
                t.step(Nd4j.create(Toy2D.EIGHT_GAUSSIANS.sample(data, 256), new long[] {256, 1, 1, 2}, 'c').castTo(DataType.FLOAT));
                peak = Math.max(peak, Pointer.physicalBytes() - before);
            }
            MemoryEstimate e = MemoryEstimate.of(c, TOY);
            System.out.printf("%s: %s measured, %s estimated (%s)%n", constraint, MemoryEstimate.bytes(peak), MemoryEstimate.bytes(e.offHeapBytes()), e.describe());
            assertTrue(peak <= e.offHeapBytes() + MemoryEstimate.JVM_OVERHEAD_BYTES, constraint + ": " + peak + " bytes in use, estimate " + e.offHeapBytes());
            assertTrue(peak >= 0.1 * e.offHeapBytes(), constraint + ": an estimate ten times what is used refuses configs that fit");
        }
    }
}

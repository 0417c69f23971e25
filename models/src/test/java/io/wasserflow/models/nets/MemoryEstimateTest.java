package io.wasserflow.models.nets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.data.Toy2D;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Loss;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.models.util.Rng;
import java.util.List;
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
    void aBigansThreeNetworksAreCounted() {
        for (Architecture a : List.of(Architecture.mlp(3, 64), Architecture.mlp(2, 16).withNorms(Architecture.Norm.LAYERNORM, Architecture.Norm.NONE), Architecture.dcgan(4)))
            for (long[] data : a.kind() == Architecture.Kind.DCGAN ? List.of(FASHION) : List.of(TOY, FASHION)) {
                ExperimentConfig c = ExperimentConfig.builder("e", data == TOY, Loss.WGAN, "gp").architecture(a).zDim(data == TOY ? 1 : 16)
                        .model(ExperimentConfig.Model.BIGAN).build();
                Trainer t = new Trainer(c, data);
                long built = t.critic().parameterCount() + t.generator().parameterCount() + t.encoder().parameterCount();
                assertEquals(built, MemoryEstimate.of(c, data).parameters(), a + " on " + java.util.Arrays.toString(data));
                ExperimentConfig gan = c.toBuilder().model(ExperimentConfig.Model.GAN).build();
                assertTrue(MemoryEstimate.of(c, data).offHeapBytes() > MemoryEstimate.of(gan, data).offHeapBytes());
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

    /**
     * A real trainer's step workspace (the arena every temporary of a step lives in: ND4J's own count
     * of its bytes) stays below the estimate's activations, and not far below: an estimate far above
     * use would refuse configs that fit.
     */
    @Test
    void aStepsWorkspaceStaysWithinTheEstimate() {
        for (String constraint : List.of("gp", "clip")) {
            String name = "estimate-" + constraint;
            ExperimentConfig c = ExperimentConfig.builder(name, true, Loss.WGAN, constraint).architecture(Architecture.mlp(3, 512)).batchSize(256)
                    .normsEvery(1).histogramsEvery(1).build();
            Trainer t = new Trainer(c, TOY);
            Rng data = new Rng(3);
            for (int i = 0; i < 12; i++) t.step(Nd4j.create(Toy2D.EIGHT_GAUSSIANS.sample(data, 256), new long[] {256, 1, 1, 2}, 'c').castTo(DataType.FLOAT));
            long workspace = 0;
            for (var ws : Nd4j.getWorkspaceManager().getAllWorkspacesForCurrentThread())
                if (ws.getId().startsWith("wasserflow-step-" + name + "-")) workspace = Math.max(workspace, ws.getCurrentSize());
            MemoryEstimate e = MemoryEstimate.of(c, TOY);
            System.out.printf("%s: step workspace %s, estimated activations %s (%s)%n", constraint, MemoryEstimate.bytes(workspace),
                    MemoryEstimate.bytes(e.activationBytes()), e.describe());
            assertTrue(workspace > 0, "the trainer's step workspace was found");
            assertTrue(workspace <= e.activationBytes(), constraint + ": a step's workspace holds " + workspace + " bytes, estimate " + e.activationBytes());
            assertTrue(workspace >= 0.1 * e.activationBytes(), constraint + ": an estimate ten times what is used refuses configs that fit");
        }
    }
}

package io.wasserflow.models.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.wasserflow.models.layers.Param;
import io.wasserflow.models.nets.Architecture;
import io.wasserflow.models.nets.Init;
import io.wasserflow.models.nets.Network;
import io.wasserflow.models.nets.Networks;
import io.wasserflow.models.util.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** The landscape's values are the critic's at the grid points, its arrows the critic's gradient, and drawing it trains nothing. */
class CriticLandscapeTest {
    @Test
    void valuesAndGradientsAreTheCriticsAtEachPoint() {
        Network critic = Networks.critic(Architecture.mlp(2, 16), new long[] {1, 1, 2}, Init.HE, new Rng(4), DataType.DOUBLE);
        critic.zeroGrad();
        CriticLandscape l = CriticLandscape.of(critic, DataType.DOUBLE, -1.9, 2.3, -1.1, 2.9, 5); // no grid point at the origin, where every ReLU of a zero-bias net has its kink
        assertEquals(-1.9, l.xs()[0], 0);
        assertEquals(2.9, l.ys()[4], 1e-15);
        double h = 1e-6;
        for (int j = 0; j < 5; j++)
            for (int i = 0; i < 5; i++) {
                double x = l.xs()[i], y = l.ys()[j];
                int k = j * 5 + i;
                assertEquals(d(critic, x, y), l.values()[k], 1e-12, "D at (" + x + ", " + y + ")");
                assertEquals((d(critic, x + h, y) - d(critic, x - h, y)) / (2 * h), l.dx()[k], 1e-6, "dD/dx");
                assertEquals((d(critic, x, y + h) - d(critic, x, y - h)) / (2 * h), l.dy()[k], 1e-6, "dD/dy");
            }
        for (Param p : critic.params()) assertEquals(0.0, p.grad.norm2Number().doubleValue(), 0.0, p.name + ": no gradient accumulated");
        Network images = Networks.critic(Architecture.mlp(1, 4), new long[] {1, 28, 28}, Init.HE, new Rng(4), DataType.DOUBLE);
        assertThrows(IllegalArgumentException.class, () -> CriticLandscape.of(images, DataType.DOUBLE, 0, 1, 0, 1, 4));
    }

    private static double d(Network critic, double x, double y) {
        return critic.forward(Nd4j.create(new double[] {x, y}, new long[] {1, 1, 1, 2}, 'c')).getDouble(0);
    }
}

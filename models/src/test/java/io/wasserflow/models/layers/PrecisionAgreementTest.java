package io.wasserflow.models.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The float32 passes agree with the float64 passes that the gradient checks verify. The CPU
 * backend runs float32 convolutions through oneDNN and float64 through libnd4j's generic kernels,
 * so this is what ties the training precision to the checked mathematics.
 */
class PrecisionAgreementTest {
    /** float32 carries about 7 digits; sums over a few thousand terms lose a little more. */
    static final double TOLERANCE = 2e-4;

    static void assertClose(String what, INDArray single, INDArray dbl) {
        double scale = Math.max(dbl.amaxNumber().doubleValue(), 1e-6);
        double err = single.castTo(DataType.DOUBLE).sub(dbl).amaxNumber().doubleValue() / scale;
        assertTrue(err < TOLERANCE, what + ": float32 and float64 differ by " + err + " of the largest value");
    }

    static void check(String name, Function<DataType, Layer> make, long... inputShape) {
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.DOUBLE, inputShape), xDot = Nd4j.randn(DataType.DOUBLE, inputShape);
        Layer d = make.apply(DataType.DOUBLE), f = make.apply(DataType.FLOAT);
        INDArray yd = d.forward(x), yf = f.forward(x.castTo(DataType.FLOAT));
        assertClose(name + " forward", yf, yd);
        INDArray r = Nd4j.randn(DataType.DOUBLE, yd.shape());
        assertClose(name + " backward", f.backward(r.castTo(DataType.FLOAT), true), d.backward(r, true));
        assertClose(name + " tangent", f.tangent(xDot.castTo(DataType.FLOAT)), d.tangent(xDot));
        Adjoint ad = d.tangentBackward(r, r), af = f.tangentBackward(r.castTo(DataType.FLOAT), r.castTo(DataType.FLOAT));
        assertClose(name + " tangent-backward x-bar", af.primal(), ad.primal());
        assertClose(name + " tangent-backward x-dot-bar", af.tangent(), ad.tangent());
        for (int i = 0; i < d.params().size(); i++) assertClose(name + " " + d.params().get(i).name, f.params().get(i).grad, d.params().get(i).grad);
    }

    static INDArray weights(DataType t, long seed, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, shape).muli(0.1).castTo(t);
    }

    @Test
    void convolutionAgreesAcrossPrecisions() {
        check("conv2d", t -> new Conv2d("c", weights(t, 1, 16, 8, 5, 5), weights(t, 2, 16), 2, 2), 4, 8, 14, 14);
    }

    @Test
    void transposedConvolutionAgreesAcrossPrecisions() {
        check("convTranspose2d", t -> new ConvTranspose2d("t", weights(t, 1, 16, 8, 5, 5), weights(t, 2, 8), 2), 4, 16, 7, 7);
    }

    @Test
    void denseAgreesAcrossPrecisions() {
        check("dense", t -> new Dense("d", weights(t, 1, 64, 32), weights(t, 2, 1, 32)), 16, 64);
    }

    /** The fast path (bias as a rank-one BLAS product into the output, then x W accumulated on it) against the plain x W + b. */
    @Test
    void denseFastForwardAgreesWithThePlainOne() {
        for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray w = weights(t, 1, 64, 32), b = weights(t, 2, 1, 32), x = weights(t, 3, 16, 64);
            INDArray plain = x.mmul(w).addRowVector(b);
            assertClose("dense forward " + t, new Dense("d", w, b).forward(x).castTo(DataType.DOUBLE), plain.castTo(DataType.DOUBLE));
        }
    }
}

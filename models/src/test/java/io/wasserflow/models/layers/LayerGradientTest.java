package io.wasserflow.models.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every layer's four passes against central finite differences in double precision: backward
 * (x-bar and theta-bar of sum(y * R)), tangent (y-dot against the directional difference of y), and
 * the reverse pass over the tangent (x-bar, x-dot-bar and theta-bar of sum(y * R1) + sum(y-dot * R2)).
 */
class LayerGradientTest {
    static final DataType D = DataType.DOUBLE;

    record Case(String name, Function<Long, Layer> make, long[] inputShape, boolean hasTangent) {
        @Override public String toString() { return name; }
    }

    static INDArray random(long seed, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(D, shape);
    }

    /** Inputs that keep every kink at least 1e-3 away (a thousand steps), so no difference crosses one. */
    static INDArray awayFromZero(long seed, long... shape) {
        INDArray x = random(seed, shape);
        INDArray sign = x.gte(0).castTo(D).muli(2).subi(1);
        return x.addi(sign.muli(1e-3));
    }

    static Stream<Case> layers() {
        return Stream.of(
                new Case("dense", s -> new Dense("d", random(s, 5, 4), random(s + 1, 1, 4)), new long[] {3, 5}, true),
                new Case("relu", s -> new Relu("r"), new long[] {3, 6}, true),
                new Case("leakyRelu", s -> new LeakyRelu("l", 0.2), new long[] {3, 6}, true),
                new Case("tanh", s -> new Tanh("t"), new long[] {3, 6}, true),
                new Case("sigmoid", s -> new Sigmoid("s"), new long[] {3, 6}, true),
                new Case("reshape", s -> new Reshape("re", 2, 3), new long[] {3, 6}, true),
                new Case("crop", s -> new Crop("c", 3, 3), new long[] {2, 2, 4, 4}, true),
                new Case("conv2d", s -> new Conv2d("c", random(s, 3, 2, 5, 5).muli(0.3), random(s + 1, 3), 2, 2), new long[] {2, 2, 7, 7}, true),
                new Case("convTranspose2d", s -> new ConvTranspose2d("t", random(s, 2, 3, 5, 5).muli(0.3), random(s + 1, 3), 2), new long[] {2, 2, 4, 4}, true),
                new Case("layerNormDense", s -> new LayerNorm("n", random(s, 6).addi(1), random(s + 1, 6)), new long[] {3, 6}, true),
                new Case("layerNormConv", s -> new LayerNorm("n", random(s, 2).addi(1), random(s + 1, 2)), new long[] {3, 2, 3, 3}, true),
                new Case("batchNormDense", s -> new BatchNorm("b", random(s, 6).addi(1), random(s + 1, 6)), new long[] {4, 6}, false),
                new Case("batchNormConv", s -> new BatchNorm("b", random(s, 2).addi(1), random(s + 1, 2)), new long[] {3, 2, 3, 3}, false));
    }

    static double weightedSum(INDArray y, INDArray r) {
        return y.mul(r).sumNumber().doubleValue();
    }

    @ParameterizedTest
    @MethodSource("layers")
    void backwardMatchesFiniteDifferences(Case c) {
        Layer layer = c.make.apply(7L);
        INDArray x = awayFromZero(11, c.inputShape);
        INDArray y = layer.forward(x);
        INDArray r = random(13, y.shape());
        for (Param p : layer.params()) p.zeroGrad();
        INDArray xBar = layer.backward(r, true);
        FiniteDifferences.check(c.name + " x-bar", x, xBar, null, () -> weightedSum(layer.forward(x), r));
        for (Param p : layer.params())
            FiniteDifferences.check(c.name + " " + p.name, p.value, p.grad, null, () -> weightedSum(layer.forward(x), r));
    }

    @ParameterizedTest
    @MethodSource("layers")
    void tangentIsTheDirectionalDerivative(Case c) {
        if (!c.hasTangent) return;
        Layer layer = c.make.apply(7L);
        INDArray x = awayFromZero(11, c.inputShape);
        INDArray xDot = random(17, c.inputShape);
        layer.forward(x);
        INDArray yDot = layer.tangent(xDot);
        double h = FiniteDifferences.STEP;
        INDArray numeric = layer.forward(x.add(xDot.mul(h))).sub(layer.forward(x.sub(xDot.mul(h)))).divi(2 * h);
        for (long i = 0; i < yDot.length(); i++) {
            double err = FiniteDifferences.relativeError(yDot.getDouble(i), numeric.getDouble(i));
            final long idx = i;
            assertTrue(err < FiniteDifferences.TOLERANCE, () -> c.name + " y-dot[" + idx + "] " + yDot.getDouble(idx) + " vs " + numeric.getDouble(idx));
        }
    }

    @ParameterizedTest
    @MethodSource("layers")
    void tangentBackwardMatchesFiniteDifferences(Case c) {
        if (!c.hasTangent) return;
        for (boolean withPrimalAdjoint : new boolean[] {true, false}) {
            Layer layer = c.make.apply(7L);
            INDArray x = awayFromZero(11, c.inputShape);
            INDArray xDot = random(17, c.inputShape);
            INDArray y = layer.forward(x);
            INDArray r1 = withPrimalAdjoint ? random(19, y.shape()) : null;
            INDArray r2 = random(23, y.shape());
            // S(x, x-dot, theta) = sum(y R1) + sum(y-dot R2)
            java.util.function.Supplier<Double> s = () -> {
                INDArray yy = layer.forward(x);
                double v = r1 == null ? 0 : weightedSum(yy, r1);
                return v + weightedSum(layer.tangent(xDot), r2);
            };
            layer.forward(x);
            layer.tangent(xDot);
            for (Param p : layer.params()) p.zeroGrad();
            Adjoint a = layer.tangentBackward(r1, r2);
            String tag = c.name + (withPrimalAdjoint ? " (y-bar given)" : " (y-bar zero)");
            FiniteDifferences.check(tag + " x-dot-bar", xDot, a.tangent(), null, s);
            INDArray xBar = a.primal() == null ? x.ulike().assign(0) : a.primal();
            FiniteDifferences.check(tag + " x-bar", x, xBar, null, s);
            for (Param p : layer.params()) FiniteDifferences.check(tag + " " + p.name, p.value, p.grad, null, s);
        }
    }

    @Test
    void conv2dIsTheTextbookCrossCorrelation() {
        INDArray w = random(3, 3, 2, 5, 5), b = random(4, 3), x = random(5, 2, 2, 7, 7);
        INDArray y = new Conv2d("c", w, b, 2, 2).forward(x);
        assertArrayEquals(new long[] {2, 3, 4, 4}, y.shape());
        for (int n = 0; n < 2; n++)
            for (int o = 0; o < 3; o++)
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < 4; j++) {
                        double sum = b.getDouble(o);
                        for (int c = 0; c < 2; c++)
                            for (int ki = 0; ki < 5; ki++)
                                for (int kj = 0; kj < 5; kj++) {
                                    int yi = i * 2 - 2 + ki, xj = j * 2 - 2 + kj;
                                    if (yi >= 0 && yi < 7 && xj >= 0 && xj < 7)
                                        sum += w.getDouble(o, c, ki, kj) * x.getDouble(n, c, yi, xj);
                                }
                        assertEquals(sum, y.getDouble(n, o, i, j), 1e-10);
                    }
    }

    @Test
    void transposedConvolutionDoublesTheSize() {
        INDArray y = new ConvTranspose2d("t", random(3, 4, 3, 5, 5), random(4, 3), 2).forward(random(5, 2, 4, 7, 7));
        assertArrayEquals(new long[] {2, 3, 14, 14}, y.shape());
    }
}

package io.wasserflow.models.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The classifier's loss: its gradient against finite differences, and its value against closed forms. */
class SoftmaxCrossEntropyTest {
    static final int[] LABELS = {0, 3, 2, 3, 1};

    @Test
    void gradientMatchesFiniteDifferences() {
        INDArray z = LayerGradientTest.random(31, 5, 4).muli(3);
        SoftmaxCrossEntropy ce = SoftmaxCrossEntropy.of(z, LABELS);
        FiniteDifferences.check("softmax cross-entropy", z, ce.gradient(), null, () -> SoftmaxCrossEntropy.of(z, LABELS).loss());
    }

    @Test
    void gradientThroughADenseLayerMatchesFiniteDifferences() {
        Dense d = new Dense("d", LayerGradientTest.random(7, 6, 4), LayerGradientTest.random(8, 1, 4));
        INDArray x = LayerGradientTest.random(9, 5, 6);
        for (Param p : d.params()) p.zeroGrad();
        INDArray xBar = d.backward(SoftmaxCrossEntropy.of(d.forward(x), LABELS).gradient(), true);
        FiniteDifferences.check("x-bar", x, xBar, null, () -> SoftmaxCrossEntropy.of(d.forward(x), LABELS).loss());
        for (Param p : d.params()) FiniteDifferences.check(p.name, p.value, p.grad, null, () -> SoftmaxCrossEntropy.of(d.forward(x), LABELS).loss());
    }

    @Test
    void closedForms() {
        // equal logits: log k whatever the label; the gradient 1/(nk) off the label, (1/k - 1)/n on it
        SoftmaxCrossEntropy uniform = SoftmaxCrossEntropy.of(Nd4j.zeros(DataType.DOUBLE, 2, 4), new int[] {1, 2});
        assertEquals(Math.log(4), uniform.loss(), 1e-15);
        assertEquals(0.125, uniform.gradient().getDouble(0, 0), 1e-15);
        assertEquals((0.25 - 1) / 2, uniform.gradient().getDouble(0, 1), 1e-15);
        // two classes: the logistic loss log(1 + e^-(z_y - z_other)), finite at huge margins
        INDArray z = Nd4j.create(new double[][] {{2, -1}, {1000, -1000}, {-1000, 1000}});
        SoftmaxCrossEntropy ce = SoftmaxCrossEntropy.of(z, new int[] {0, 0, 0});
        double expected = (Math.log1p(Math.exp(-3)) + 0 + 2000) / 3;
        assertEquals(expected, ce.loss(), 1e-12);
        assertEquals(2, ce.correct());
        for (int i = 0; i < 3; i++) assertEquals(0, ce.gradient().getRow(i).sumNumber().doubleValue(), 1e-15); // probabilities minus a one-hot
        assertTrue(Double.isFinite(ce.gradient().sumNumber().doubleValue()));
    }

    @Test
    void keepsTheLogitsDataType() {
        INDArray z = LayerGradientTest.random(3, 4, 3).castTo(DataType.FLOAT);
        assertEquals(DataType.FLOAT, SoftmaxCrossEntropy.of(z, new int[] {0, 1, 2, 0}).gradient().dataType());
    }
}

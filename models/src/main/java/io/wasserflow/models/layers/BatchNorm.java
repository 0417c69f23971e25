package io.wasserflow.models.layers;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Batch normalisation with batch statistics, per feature (dense) or per channel (convolutional), for
 * generators only: it couples the samples of a batch, which would make the gradient penalty depend
 * on the batch (SCIENCE.md), so it has no tangent. Like the reference code it always normalises
 * with the current batch's statistics (samples are drawn in batches too).
 */
public final class BatchNorm implements Layer {
    private final String name;
    private final Param gain, bias;
    private long[] shape;
    private RowNormalizer norm;

    public BatchNorm(String name, INDArray gainInit, INDArray biasInit) {
        this.name = name;
        this.gain = new Param(name + ".gain", gainInit, false);
        this.bias = new Param(name + ".bias", biasInit, false);
    }

    @Override public String name() { return name; }

    /** One row per feature or channel, its entries across the batch (and positions). */
    private INDArray rows(INDArray a) {
        if (a.rank() == 2) return a.transpose().dup('c');
        return a.permute(1, 0, 2, 3).dup('c').reshape('c', a.size(1), a.length() / a.size(1));
    }

    private INDArray back(INDArray a2) {
        if (shape.length == 2) return a2.transpose().dup('c');
        return a2.reshape('c', shape[1], shape[0], shape[2], shape[3]).permute(1, 0, 2, 3).dup('c');
    }

    private INDArray column(INDArray perFeature) {
        return perFeature.reshape(perFeature.length(), 1);
    }

    @Override public INDArray forward(INDArray x) {
        shape = x.shape();
        norm = new RowNormalizer(rows(x));
        return back(norm.xh.mulColumnVector(column(gain.value)).addiColumnVector(column(bias.value)));
    }

    @Override public INDArray backward(INDArray yBar, boolean paramGrads) {
        INDArray yBar2 = rows(yBar);
        if (paramGrads) {
            gain.grad.addi(yBar2.mul(norm.xh).sum(1).reshape(gain.grad.shape()));
            bias.grad.addi(yBar2.sum(1).reshape(bias.grad.shape()));
        }
        return back(norm.jacobianTimes(yBar2.mulColumnVector(column(gain.value))));
    }

    @Override public INDArray tangent(INDArray xDot) {
        throw new UnsupportedOperationException("batch normalisation is for generators only: in a critic it makes the gradient penalty depend on the batch");
    }

    @Override public Adjoint tangentBackward(INDArray yBar, INDArray yDotBar) {
        throw new UnsupportedOperationException("batch normalisation is for generators only");
    }

    @Override public List<Param> params() { return List.of(gain, bias); }

    @Override public long[] outputShape(long[] in) { return in; }
}

package io.wasserflow.models.layers;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Layer normalisation over all of a sample's features, with a gain and a bias per feature (dense
 * input) or per channel (convolutional input), as in the WGAN-GP reference critics. It keeps
 * samples independent, so it is allowed in a critic. Unlike ReLU its tangent depends smoothly on
 * the primal, so the reverse pass over the tangent carries the curvature term of RowNormalizer.
 */
public final class LayerNorm implements Layer {
    private final String name;
    private final Param gain, bias;
    private long[] shape; // input shape, batch first
    private RowNormalizer norm;
    private INDArray gainRow, xDot2, xDotH;

    /** @param channels features of a dense input, or channels of a convolutional one */
    public LayerNorm(String name, INDArray gainInit, INDArray biasInit) {
        this.name = name;
        this.gain = new Param(name + ".gain", gainInit, false);
        this.bias = new Param(name + ".bias", biasInit, false);
    }

    @Override public String name() { return name; }

    private INDArray rows(INDArray a) {
        return a.dup('c').reshape('c', a.size(0), a.length() / a.size(0));
    }

    private INDArray back(INDArray a2) {
        return a2.reshape('c', shape);
    }

    /** The gain (or bias) spread to one entry per column of the 2-D view. */
    private INDArray perColumn(INDArray perChannel) {
        long columns = norm.xh.size(1), c = perChannel.length();
        return perChannel.reshape(c, 1).repeat(1, columns / c).reshape('c', 1, columns);
    }

    /** Sum over the batch (and spatial positions) back to one value per channel. */
    private INDArray perChannel(INDArray columnSums) {
        long c = gain.value.length();
        return columnSums.reshape('c', c, columnSums.length() / c).sum(1);
    }

    @Override public INDArray forward(INDArray x) {
        shape = x.shape();
        norm = new RowNormalizer(rows(x));
        gainRow = perColumn(gain.value);
        return back(norm.xh.mulRowVector(gainRow).addiRowVector(perColumn(bias.value)));
    }

    @Override public INDArray backward(INDArray yBar, boolean paramGrads) {
        INDArray yBar2 = rows(yBar);
        if (paramGrads) addParamGrads(yBar2, norm.xh, true);
        return back(norm.jacobianTimes(yBar2.mulRowVector(gainRow)));
    }

    private void addParamGrads(INDArray yBar2, INDArray normalised, boolean withBias) {
        gain.grad.addi(perChannel(yBar2.mul(normalised).sum(0)));
        if (withBias) bias.grad.addi(perChannel(yBar2.sum(0)));
    }

    @Override public INDArray tangent(INDArray xDot) {
        xDot2 = rows(xDot);
        xDotH = norm.jacobianTimes(xDot2);
        return back(xDotH.mulRowVector(gainRow));
    }

    @Override public Adjoint tangentBackward(INDArray yBar, INDArray yDotBar) {
        INDArray yDotBar2 = rows(yDotBar);
        addParamGrads(yDotBar2, xDotH, false); // y-dot = gain * x-dot-h
        INDArray u = yDotBar2.mulRowVector(gainRow); // adjoint of x-dot-h
        INDArray xDotBar = norm.jacobianTimes(u);
        INDArray xBar = norm.curvatureTerm(xDot2, u);
        if (yBar != null) {
            INDArray yBar2 = rows(yBar);
            addParamGrads(yBar2, norm.xh, true);
            xBar.addi(norm.jacobianTimes(yBar2.mulRowVector(gainRow)));
        }
        return new Adjoint(back(xBar), back(xDotBar));
    }

    @Override public List<Param> params() { return List.of(gain, bias); }

    @Override public long[] outputShape(long[] in) { return in; }
}

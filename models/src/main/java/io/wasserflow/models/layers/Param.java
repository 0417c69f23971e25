package io.wasserflow.models.layers;

import org.nd4j.linalg.api.ndarray.INDArray;

/** One parameter tensor and the gradient accumulated into it by backward passes. */
public final class Param {
    public final String name;
    public final INDArray value;
    public final INDArray grad;
    /** Weight (clipped, histogrammed) or bias/gain (clipped too: WGAN clamps every critic parameter). */
    public final boolean isWeight;
    /**
     * What the layer's passes compute with: the value itself, or a reparametrisation of it that its
     * owner keeps up to date (spectral normalisation's W / sigma(W)). The passes add the gradient with
     * respect to this tensor to {@link #grad}; the owner maps it back to the value's.
     */
    private INDArray effective;

    public Param(String name, INDArray value, boolean isWeight) {
        this.name = name;
        this.value = value;
        this.grad = value.ulike();
        this.grad.assign(0);
        this.isWeight = isWeight;
        this.effective = value;
    }

    public INDArray effective() {
        return effective;
    }

    /** From now on the passes compute with {@code w} (same shape as the value) in place of the value. */
    public void computeWith(INDArray w) {
        if (!java.util.Arrays.equals(w.shape(), value.shape()))
            throw new IllegalArgumentException(name + " is " + java.util.Arrays.toString(value.shape()) + ", not " + java.util.Arrays.toString(w.shape()));
        this.effective = w;
    }

    public void zeroGrad() {
        grad.assign(0);
    }

    public long size() {
        return value.length();
    }
}

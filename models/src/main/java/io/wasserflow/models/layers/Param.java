package io.wasserflow.models.layers;

import org.nd4j.linalg.api.ndarray.INDArray;

/** One parameter tensor and the gradient accumulated into it by backward passes. */
public final class Param {
    public final String name;
    public final INDArray value;
    public final INDArray grad;
    /** Weight (clipped, histogrammed) or bias/gain (clipped too: WGAN clamps every critic parameter). */
    public final boolean isWeight;

    public Param(String name, INDArray value, boolean isWeight) {
        this.name = name;
        this.value = value;
        this.grad = value.ulike();
        this.grad.assign(0);
        this.isWeight = isWeight;
    }

    public void zeroGrad() {
        grad.assign(0);
    }

    public long size() {
        return value.length();
    }
}

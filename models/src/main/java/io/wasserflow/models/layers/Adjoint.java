package io.wasserflow.models.layers;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The adjoints of a (primal, tangent) pair in the reverse pass over a forward-mode pass.
 * {@code primal} is null where it is exactly zero: after a ReLU the tangent's dependence on the
 * primal is a fixed mask, so the primal adjoint vanishes and layers skip its work.
 */
public record Adjoint(INDArray primal, INDArray tangent) {}

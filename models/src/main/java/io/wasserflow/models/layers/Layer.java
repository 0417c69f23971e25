package io.wasserflow.models.layers;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One differentiable map y = f(x; theta) with four passes, kept side by side in each implementation
 * so the chain rule can be checked on one screen:
 * <ul>
 *   <li>{@link #forward}: y from x (caches what the other passes need);</li>
 *   <li>{@link #backward}: x-bar = J^T y-bar, and theta-bar added to the parameters' gradients;</li>
 *   <li>{@link #tangent}: y-dot = J x-dot at the cached x (forward mode);</li>
 *   <li>{@link #tangentBackward}: the reverse pass over the pair (y, y-dot): from (y-bar, y-dot-bar)
 *       to (x-bar, x-dot-bar), adding theta-bar. This is what makes the gradient penalty's weight
 *       gradient exact (SCIENCE.md, "A cheap exact route").</li>
 * </ul>
 * Inputs are batch-first; no layer mixes samples except batch normalisation, which is therefore
 * refused in critics.
 */
public interface Layer {
    String name();

    INDArray forward(INDArray x);

    /** @param paramGrads false when only x-bar is wanted (the critic inside a generator step). */
    INDArray backward(INDArray yBar, boolean paramGrads);

    INDArray tangent(INDArray xDot);

    Adjoint tangentBackward(INDArray yBar, INDArray yDotBar);

    /**
     * True when the layer is linear or piecewise linear in x (no curvature term): in a network of
     * such layers the reverse pass over the tangent, seeded as the last input-only backward was, meets
     * the same adjoints that backward did, so {@link #tangentWeightGradient} can replace it.
     */
    default boolean piecewiseLinear() {
        return false;
    }

    /**
     * The part of {@link #tangentBackward}(null, y-dot-bar) that backward did not compute: theta-bar
     * from the tangent, with y-dot-bar taken as the y-bar of the latest {@link #backward}. Only valid in
     * a network whose layers are all {@link #piecewiseLinear}; nothing for layers without parameters.
     */
    default void tangentWeightGradient() {}

    default List<Param> params() {
        return List.of();
    }

    /** Output shape (without the batch dimension) for an input shape (without the batch dimension). */
    long[] outputShape(long[] inputShape);
}

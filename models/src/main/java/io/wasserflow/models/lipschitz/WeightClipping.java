package io.wasserflow.models.lipschitz;

import io.wasserflow.models.diagnostics.Norms;
import io.wasserflow.models.layers.Param;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/** Clamps parameters to [-c, c] in place, and measures how many sit at the bound. */
public final class WeightClipping {
    private WeightClipping() {}

    public static void clamp(List<Param> params, double c) {
        for (Param p : params) // one pass, in place
            Nd4j.exec(DynamicCustomOp.builder("clipbyvalue").addInputs(p.value).addOutputs(p.value).addFloatingPointArguments(-c, c).build());
    }

    /**
     * Weights within this fraction of c count as at the bound: an optimizer step smaller than the
     * float resolution of c leaves a weight a hair inside [-c, c], still "crowded at +-c".
     */
    public static final double NEAR_BOUND = 0.99;

    /** Share of the tensor's entries with |w| >= 0.99 c. */
    public static double shareAtBound(INDArray w, double c) {
        return Norms.countAbsAtLeast(w, NEAR_BOUND * c) / (double) w.length();
    }
}

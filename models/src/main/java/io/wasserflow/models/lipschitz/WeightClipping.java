package io.wasserflow.models.lipschitz;

import io.wasserflow.models.layers.Param;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Clamps parameters to [-c, c] in place, and measures how many sit at the bound. */
public final class WeightClipping {
    private WeightClipping() {}

    public static void clamp(List<Param> params, double c) {
        for (Param p : params) {
            Transforms.min(p.value, c, false);
            Transforms.max(p.value, -c, false);
        }
    }

    /** Share of the tensor's entries at +-c (after a clamp they equal c exactly in its precision). */
    public static double shareAtBound(INDArray w, double c) {
        double bound = w.dataType() == DataType.FLOAT ? (double) (float) c : c;
        double atBound = Transforms.abs(w, true).gte(bound).castTo(DataType.DOUBLE).sumNumber().doubleValue();
        return atBound / w.length();
    }
}

package io.wasserflow.models.layers;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Row vectors of ones [1, n], made once per thread, data type and length, outside every workspace
 * (a step's workspace is reset after the step). Broadcasts go through BLAS with them: a bias added
 * as the rank-one product 1 b^T, or column sums as 1^T A, are several times faster than ND4J's
 * broadcast and reduction ops at these sizes (docs/performance.md).
 */
final class Ones {
    private Ones() {}

    private static final ThreadLocal<Map<String, INDArray>> CACHE = ThreadLocal.withInitial(HashMap::new);

    static INDArray row(DataType dtype, long n) {
        return CACHE.get().computeIfAbsent(dtype + ":" + n, k -> {
            try (MemoryWorkspace none = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                return Nd4j.ones(dtype, 1, n);
            }
        });
    }
}

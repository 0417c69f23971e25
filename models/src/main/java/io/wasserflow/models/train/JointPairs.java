package io.wasserflow.models.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** BiGAN's joint critic input: each row a flattened sample x followed by its latent point z, [B, C*H*W + zDim]. */
final class JointPairs {
    private JointPairs() {}

    /** [x flattened, z] row by row: (x, E(x)) for real pairs, (G(z), z) for fake ones. */
    static INDArray of(INDArray x, INDArray z) {
        long b = x.size(0);
        return Nd4j.concat(1, x.dup('c').reshape('c', b, x.length() / b), z);
    }

    /** The x part of a joint adjoint's rows [from, to), in the samples' shape {@code xShape} (batch first). */
    static INDArray xPart(INDArray joint, long from, long to, long[] xShape) {
        long d = 1;
        for (int i = 1; i < xShape.length; i++) d *= xShape[i];
        return joint.get(NDArrayIndex.interval(from, to), NDArrayIndex.interval(0, d)).dup('c').reshape('c', xShape);
    }

    /** The z part of a joint adjoint's rows [from, to), [to - from, zDim]. */
    static INDArray zPart(INDArray joint, long from, long to, long zDim) {
        long d = joint.size(1) - zDim;
        return joint.get(NDArrayIndex.interval(from, to), NDArrayIndex.interval(d, joint.size(1))).dup('c');
    }
}

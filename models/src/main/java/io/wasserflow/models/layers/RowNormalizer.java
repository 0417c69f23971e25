package io.wasserflow.models.layers;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Standardises each row of a 2-D array: xh = (x - mean) r, r = 1 / sqrt(var + eps), over the row's N
 * entries. Shared by layer normalisation (a row is a sample) and batch normalisation (a row is a
 * feature across the batch). Its Jacobian is symmetric: J u = r (u - mean(u) - xh mean(xh u)).
 */
final class RowNormalizer {
    static final double EPS = 1e-5;

    final INDArray xh; // [R, N]
    final INDArray r; // [R, 1]
    private final long n;

    RowNormalizer(INDArray x) {
        n = x.size(1);
        INDArray xc = x.subColumnVector(x.mean(true, 1));
        r = xc.mul(xc).mean(true, 1).addi(EPS);
        org.nd4j.linalg.ops.transforms.Transforms.pow(r, -0.5, false);
        xh = xc.muliColumnVector(r);
    }

    private static INDArray rowMean(INDArray a) {
        return a.mean(true, 1);
    }

    /** J u: the adjoint (and, J being symmetric, the tangent) map of the standardisation. */
    INDArray jacobianTimes(INDArray u) {
        INDArray out = u.subColumnVector(rowMean(u));
        out.subi(xh.mulColumnVector(rowMean(xh.mul(u))));
        return out.muliColumnVector(r);
    }

    /**
     * The x-bar that comes from the tangent's dependence on x, for x-dot-h = J(x) x-dot with adjoint u:
     * the gradient of u . J(x) x-dot with respect to x (a Hessian-vector term). Derivation: with
     * a = x-dot - mean(x-dot) and m = mean(xh a), x-dot-h = r a - r m xh, so
     * d/dr = u.a - m u.xh, d/dxh = -r (u.xh / N) a - r m u; through xh = r xc and
     * dr = -r^3 (xc . dxc) / N this gives q = r h-bar - (r-bar + h-bar.xc) r^2 xh / N, and x-bar = q - mean(q).
     */
    INDArray curvatureTerm(INDArray xDot, INDArray u) {
        INDArray a = xDot.subColumnVector(rowMean(xDot));
        INDArray m = rowMean(xh.mul(a)); // [R,1]
        INDArray uDotXh = u.mul(xh).sum(true, 1); // [R,1]
        INDArray uDotA = u.mul(a).sum(true, 1);
        // h-bar = -r (u.xh / N) a - r m u
        INDArray hBar = a.mulColumnVector(uDotXh.div(n)).addi(u.mulColumnVector(m)).muliColumnVector(r).negi();
        INDArray rBar = uDotA.subi(m.mul(uDotXh));
        // h-bar . xc = h-bar . xh / r
        INDArray hBarDotXc = hBar.mul(xh).sum(true, 1).divi(r);
        INDArray coeff = rBar.addi(hBarDotXc).muli(r).muli(r).divi(n); // (r-bar + h-bar.xc) r^2 / N
        INDArray q = hBar.mulColumnVector(r).subi(xh.mulColumnVector(coeff));
        return q.subiColumnVector(rowMean(q));
    }
}

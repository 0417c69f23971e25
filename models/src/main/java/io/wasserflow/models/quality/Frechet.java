package io.wasserflow.models.quality;

/**
 * The Fréchet distance between two Gaussians N(mu1, S1), N(mu2, S2):
 * ||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^{1/2}), the FID formula. Tr (S1 S2)^{1/2} is taken as
 * Tr (S1^{1/2} S2 S1^{1/2})^{1/2} (the same eigenvalues, of a symmetric positive semi-definite
 * matrix), so both square roots come from symmetric eigen decompositions, done by cyclic Jacobi in
 * double precision; eigenvalues that round-off makes slightly negative count as zero.
 */
public final class Frechet {
    private Frechet() {}

    /** A Gaussian fitted to feature rows: their mean and unbiased covariance (numpy's np.cov). */
    public record Gaussian(double[] mean, double[][] cov) {
        public int dim() { return mean.length; }

        /** @param x n rows of d features, n >= 2 */
        public static Gaussian fit(double[][] x) {
            int n = x.length, d = x[0].length;
            if (n < 2) throw new IllegalArgumentException("a covariance needs two samples, got " + n);
            double[] mu = new double[d];
            for (double[] r : x) for (int j = 0; j < d; j++) mu[j] += r[j];
            for (int j = 0; j < d; j++) mu[j] /= n;
            double[][] c = new double[d][d];
            double[] centred = new double[d];
            for (double[] r : x) {
                for (int j = 0; j < d; j++) centred[j] = r[j] - mu[j];
                for (int a = 0; a < d; a++) {
                    double ca = centred[a];
                    if (ca == 0) continue;
                    double[] row = c[a];
                    for (int b = a; b < d; b++) row[b] += ca * centred[b];
                }
            }
            for (int a = 0; a < d; a++)
                for (int b = a; b < d; b++) c[b][a] = c[a][b] /= (n - 1);
            return new Gaussian(mu, c);
        }
    }

    public static double distance(Gaussian g1, Gaussian g2) {
        int d = g1.dim();
        if (g2.dim() != d) throw new IllegalArgumentException("dimensions " + d + " and " + g2.dim());
        double meanTerm = 0, trace = 0;
        for (int j = 0; j < d; j++) {
            double diff = g1.mean[j] - g2.mean[j];
            meanTerm += diff * diff;
            trace += g1.cov[j][j] + g2.cov[j][j];
        }
        double[][] root1 = sqrtPsd(g1.cov);
        double[][] inner = multiply(multiply(root1, g2.cov), root1);
        symmetrize(inner);
        double traceRoot = 0;
        for (double lambda : eigen(inner).values) traceRoot += Math.sqrt(Math.max(lambda, 0));
        return meanTerm + trace - 2 * traceRoot;
    }

    /** The symmetric positive semi-definite square root V diag(sqrt(max(lambda, 0))) V^T. */
    public static double[][] sqrtPsd(double[][] s) {
        Eigen e = eigen(s);
        int d = s.length;
        double[][] r = new double[d][d];
        for (int k = 0; k < d; k++) {
            double root = Math.sqrt(Math.max(e.values[k], 0));
            if (root == 0) continue;
            for (int a = 0; a < d; a++) {
                double va = e.vectors[a][k] * root;
                for (int b = 0; b < d; b++) r[a][b] += va * e.vectors[b][k];
            }
        }
        symmetrize(r);
        return r;
    }

    /** Eigenvalues and eigenvectors (the columns of vectors) of a symmetric matrix. */
    public record Eigen(double[] values, double[][] vectors) {}

    /** Cyclic Jacobi rotations until the off-diagonal mass is negligible against the diagonal. */
    public static Eigen eigen(double[][] s) {
        int d = s.length;
        double[][] a = new double[d][];
        for (int i = 0; i < d; i++) a[i] = s[i].clone();
        double[][] v = new double[d][d];
        for (int i = 0; i < d; i++) v[i][i] = 1;
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0, diag = 0;
            for (int p = 0; p < d; p++) {
                diag += a[p][p] * a[p][p];
                for (int q = p + 1; q < d; q++) off += a[p][q] * a[p][q];
            }
            if (off <= 1e-30 * diag || off == 0) break;
            for (int p = 0; p < d - 1; p++) {
                for (int q = p + 1; q < d; q++) {
                    double apq = a[p][q];
                    if (apq == 0) continue;
                    double theta = (a[q][q] - a[p][p]) / (2 * apq);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.sqrt(t * t + 1), sn = t * c;
                    for (int k = 0; k < d; k++) { // columns p, q
                        double akp = a[k][p], akq = a[k][q];
                        a[k][p] = c * akp - sn * akq;
                        a[k][q] = sn * akp + c * akq;
                    }
                    for (int k = 0; k < d; k++) { // rows p, q
                        double apk = a[p][k], aqk = a[q][k];
                        a[p][k] = c * apk - sn * aqk;
                        a[q][k] = sn * apk + c * aqk;
                    }
                    a[p][q] = a[q][p] = 0;
                    for (int k = 0; k < d; k++) {
                        double vkp = v[k][p], vkq = v[k][q];
                        v[k][p] = c * vkp - sn * vkq;
                        v[k][q] = sn * vkp + c * vkq;
                    }
                }
            }
        }
        double[] values = new double[d];
        for (int i = 0; i < d; i++) values[i] = a[i][i];
        return new Eigen(values, v);
    }

    static double[][] multiply(double[][] x, double[][] y) {
        int n = x.length, m = y[0].length, k = y.length;
        double[][] r = new double[n][m];
        for (int i = 0; i < n; i++)
            for (int l = 0; l < k; l++) {
                double xil = x[i][l];
                if (xil == 0) continue;
                double[] yl = y[l], ri = r[i];
                for (int j = 0; j < m; j++) ri[j] += xil * yl[j];
            }
        return r;
    }

    private static void symmetrize(double[][] m) {
        for (int a = 0; a < m.length; a++)
            for (int b = a + 1; b < m.length; b++) m[a][b] = m[b][a] = (m[a][b] + m[b][a]) / 2;
    }
}

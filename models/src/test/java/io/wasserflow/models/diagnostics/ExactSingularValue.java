package io.wasserflow.models.diagnostics;

/** The tests' reference for the largest singular value: no ND4J, no power iteration. */
public final class ExactSingularValue {
    private ExactSingularValue() {}

    /**
     * The reference: the largest singular value of the rows x cols matrix a (row-major) as the square
     * root of the largest eigenvalue of a^T a, by cyclic Jacobi rotations until the off-diagonal vanishes.
     */
    public static double largest(double[] a, int rows, int cols) {
        double[][] s = new double[cols][cols];
        for (int i = 0; i < cols; i++)
            for (int j = 0; j < cols; j++)
                for (int r = 0; r < rows; r++) s[i][j] += a[r * cols + i] * a[r * cols + j];
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int p = 0; p < cols; p++) for (int q = p + 1; q < cols; q++) off += s[p][q] * s[p][q];
            if (off < 1e-30) break;
            for (int p = 0; p < cols; p++)
                for (int q = p + 1; q < cols; q++) {
                    if (s[p][q] == 0) continue;
                    double theta = (s[q][q] - s[p][p]) / (2 * s[p][q]);
                    double t = Math.signum(theta == 0 ? 1 : theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    double c = 1 / Math.sqrt(t * t + 1), sn = t * c;
                    for (int k = 0; k < cols; k++) { // S <- S J
                        double skp = s[k][p], skq = s[k][q];
                        s[k][p] = c * skp - sn * skq;
                        s[k][q] = sn * skp + c * skq;
                    }
                    for (int k = 0; k < cols; k++) { // S <- J^T S
                        double spk = s[p][k], sqk = s[q][k];
                        s[p][k] = c * spk - sn * sqk;
                        s[q][k] = sn * spk + c * sqk;
                    }
                }
        }
        double max = 0;
        for (int i = 0; i < cols; i++) max = Math.max(max, s[i][i]);
        return Math.sqrt(max);
    }
}

package io.wasserflow.models.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.util.Rng;
import org.junit.jupiter.api.Test;

/** The Fréchet distance against its closed forms, and the eigen decomposition it rests on. */
class FrechetTest {
    static double[][] gaussianRows(Rng rng, int n, int d, double[][] mix, double[] shift) {
        double[][] x = new double[n][d];
        double[] z = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) z[j] = rng.nextGaussian();
            for (int a = 0; a < d; a++) {
                double s = shift == null ? 0 : shift[a];
                for (int b = 0; b < d; b++) s += mix[a][b] * z[b];
                x[i][a] = s;
            }
        }
        return x;
    }

    static double[][] randomMatrix(Rng rng, int d) {
        double[][] m = new double[d][d];
        for (double[] r : m) for (int j = 0; j < d; j++) r[j] = rng.nextGaussian();
        return m;
    }

    static double[][] transpose(double[][] m) {
        double[][] t = new double[m[0].length][m.length];
        for (int i = 0; i < m.length; i++) for (int j = 0; j < m[0].length; j++) t[j][i] = m[i][j];
        return t;
    }

    static Frechet.Gaussian gaussian(double[] mean, double[][] cov) {
        return new Frechet.Gaussian(mean, cov);
    }

    @Test
    void identicalSetsAreAtDistanceZero() {
        Rng rng = new Rng(1);
        double[][] x = gaussianRows(rng, 300, 16, randomMatrix(rng, 16), null);
        Frechet.Gaussian g = Frechet.Gaussian.fit(x);
        double fd = Frechet.distance(g, g);
        double scale = 0;
        for (int j = 0; j < 16; j++) scale += g.cov()[j][j];
        assertEquals(0, fd, 1e-10 * scale, "FD of a set with itself, trace " + scale);
    }

    @Test
    void diagonalCovariancesGiveTheSumOfSquaredRootDifferences() {
        Rng rng = new Rng(2);
        int d = 12;
        double[] m1 = new double[d], m2 = new double[d];
        double[][] s1 = new double[d][d], s2 = new double[d][d];
        double expected = 0;
        for (int j = 0; j < d; j++) {
            m1[j] = rng.nextGaussian();
            m2[j] = rng.nextGaussian();
            s1[j][j] = 0.1 + 3 * rng.nextDouble();
            s2[j][j] = j == 0 ? 0 : 0.1 + 3 * rng.nextDouble(); // a singular one too
            expected += (m1[j] - m2[j]) * (m1[j] - m2[j]) + Math.pow(Math.sqrt(s1[j][j]) - Math.sqrt(s2[j][j]), 2);
        }
        assertEquals(expected, Frechet.distance(gaussian(m1, s1), gaussian(m2, s2)), 1e-12 * expected);
        assertEquals(expected, Frechet.distance(gaussian(m2, s2), gaussian(m1, s1)), 1e-12 * expected);
    }

    @Test
    void rotatingBothGaussiansTogetherChangesNothing() {
        // Q diag(a) Q^T against Q diag(b) Q^T: the diagonal closed form, with full covariances
        Rng rng = new Rng(3);
        int d = 20;
        Frechet.Eigen q = Frechet.eigen(covarianceOf(randomMatrix(rng, d)));
        double[][] a = new double[d][d], b = new double[d][d];
        double expected = 0;
        for (int j = 0; j < d; j++) {
            a[j][j] = 5 * rng.nextDouble();
            b[j][j] = 5 * rng.nextDouble();
            expected += Math.pow(Math.sqrt(a[j][j]) - Math.sqrt(b[j][j]), 2);
        }
        double[][] qt = transpose(q.vectors());
        double[][] s1 = Frechet.multiply(Frechet.multiply(q.vectors(), a), qt), s2 = Frechet.multiply(Frechet.multiply(q.vectors(), b), qt);
        double[] zero = new double[d];
        assertEquals(expected, Frechet.distance(gaussian(zero, s1), gaussian(zero, s2)), 1e-10 * (1 + expected));
    }

    static double[][] covarianceOf(double[][] m) {
        return Frechet.multiply(m, transpose(m));
    }

    @Test
    void eigenDecompositionReconstructsTheMatrixAndTheSquareRootSquaresBack() {
        Rng rng = new Rng(4);
        int d = 64;
        double[][] s = covarianceOf(randomMatrix(rng, d));
        Frechet.Eigen e = Frechet.eigen(s);
        double[][] lambda = new double[d][d];
        for (int j = 0; j < d; j++) lambda[j][j] = e.values()[j];
        double[][] back = Frechet.multiply(Frechet.multiply(e.vectors(), lambda), transpose(e.vectors()));
        double[][] root = Frechet.sqrtPsd(s), squared = Frechet.multiply(root, root);
        double[][] vtv = Frechet.multiply(transpose(e.vectors()), e.vectors());
        double norm = 0;
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) norm = Math.max(norm, Math.abs(s[i][j]));
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) {
                assertEquals(s[i][j], back[i][j], 1e-11 * norm);
                assertEquals(s[i][j], squared[i][j], 1e-11 * norm);
                assertEquals(i == j ? 1 : 0, vtv[i][j], 1e-12);
            }
    }

    @Test
    void fitIsTheMeanAndTheUnbiasedCovariance() {
        double[][] x = {{1, 2}, {3, 0}, {5, 4}};
        Frechet.Gaussian g = Frechet.Gaussian.fit(x);
        assertEquals(3, g.mean()[0], 1e-15);
        assertEquals(2, g.mean()[1], 1e-15);
        assertEquals(4, g.cov()[0][0], 1e-15); // ((-2)^2 + 0 + 2^2) / 2
        assertEquals(4, g.cov()[1][1], 1e-15);
        assertEquals(2, g.cov()[0][1], 1e-15); // (-2*0 + 0*-2 + 2*2) / 2
        assertEquals(g.cov()[0][1], g.cov()[1][0], 0);
    }

    @Test
    void samplesOfOneGaussianAreCloserThanSamplesOfTwo() {
        Rng rng = new Rng(5);
        int d = 8;
        double[][] mix = randomMatrix(rng, d);
        double[] shift = new double[d];
        shift[0] = 2;
        double same = Frechet.distance(Frechet.Gaussian.fit(gaussianRows(rng, 2000, d, mix, null)), Frechet.Gaussian.fit(gaussianRows(rng, 2000, d, mix, null)));
        double shifted = Frechet.distance(Frechet.Gaussian.fit(gaussianRows(rng, 2000, d, mix, null)), Frechet.Gaussian.fit(gaussianRows(rng, 2000, d, mix, shift)));
        assertTrue(same >= -1e-9 && same < 0.5, "same distribution: " + same);
        assertEquals(4, shifted, 1.0, "a shift of 2 along one axis");
    }
}

package io.wasserflow.models.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The class measures on logits whose answers are known: one class, equal classes, the coverage share's edge. */
class ClassCoverageTest {
    static final int K = FashionClassifier.CLASSES;

    /** A confident logit row: 20 at the label, 0 elsewhere (softmax about 1 - 2e-8 at the label). */
    static double[] confident(int label) {
        double[] row = new double[K];
        row[label] = 20;
        return row;
    }

    static double[][] labelled(int... labels) {
        double[][] x = new double[labels.length][];
        for (int i = 0; i < labels.length; i++) x[i] = confident(labels[i]);
        return x;
    }

    @Test
    void oneClassCoversOneWithKlOfLnTenAndScoreOne() {
        ClassCoverage c = ClassCoverage.of(labelled(new int[512]));
        assertEquals(1, c.covered());
        assertEquals(Math.log(10), c.klFromUniform(), 1e-12);
        assertEquals(1.0, c.score(), 1e-6, "every image is the same class: p(y|x) = p(y)");
        assertEquals(512, c.counts().get(0));
    }

    @Test
    void equalConfidentClassesCoverTenWithKlZeroAndScoreTen() {
        int[] labels = new int[500];
        for (int i = 0; i < labels.length; i++) labels[i] = i % K;
        ClassCoverage c = ClassCoverage.of(labelled(labels));
        assertEquals(10, c.covered());
        assertEquals(0, c.klFromUniform(), 1e-12);
        assertEquals(10.0, c.score(), 1e-5, "confident and spread evenly: the largest score, K");
        assertEquals(List.of(50, 50, 50, 50, 50, 50, 50, 50, 50, 50), c.counts());
    }

    @Test
    void uninformativeLogitsScoreOne() {
        double[][] flat = new double[64][K]; // p(y|x) uniform for every image
        assertEquals(1.0, ClassCoverage.of(flat).score(), 1e-12);
    }

    @Test
    void aClassIsCoveredFromAQuarterOfItsUniformShare() {
        assertEquals(0.025, ClassCoverage.MIN_SHARE, 0);
        // 400 images: a class needs 10 (2.5%); nine stray labels do not cover it
        int[] counts = {391, 9, 0, 0, 0, 0, 0, 0, 0, 0};
        assertEquals(1, ClassCoverage.covered(counts));
        counts = new int[] {390, 10, 0, 0, 0, 0, 0, 0, 0, 0};
        assertEquals(2, ClassCoverage.covered(counts));
        // KL of two classes 390:10 from uniform, written out
        double p = 390 / 400.0, q = 10 / 400.0;
        assertEquals(p * Math.log(10 * p) + q * Math.log(10 * q), ClassCoverage.klFromUniform(counts), 1e-12);
        assertTrue(ClassCoverage.klFromUniform(counts) < Math.log(10));
    }

    @Test
    void scoreMatchesTheFormulaOnSoftProbabilities() {
        double[][] p = {{0.7, 0.2, 0.1}, {0.1, 0.8, 0.1}, {0.3, 0.3, 0.4}};
        double[] m = {1.1 / 3, 1.3 / 3, 0.6 / 3};
        double kl = 0;
        for (double[] row : p) for (int y = 0; y < 3; y++) kl += row[y] * Math.log(row[y] / m[y]);
        assertEquals(Math.exp(kl / 3), ClassCoverage.score(p), 1e-12);
    }
}

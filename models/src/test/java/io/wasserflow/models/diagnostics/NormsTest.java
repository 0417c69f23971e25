package io.wasserflow.models.diagnostics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wasserflow.models.lipschitz.WeightClipping;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The fast diagnostics agree with the plain definitions on every array layout the trainer can hand them. */
class NormsTest {
    /** Contiguous, a column-slice view, a transposed ('f' strides) array, in float and double. */
    static List<INDArray> layouts(DataType dtype) {
        Nd4j.getRandom().setSeed(7);
        INDArray w = Nd4j.rand(dtype, 30, 20).subi(0.5);
        INDArray wide = Nd4j.rand(dtype, 30, 40).subi(0.5);
        return List.of(w, wide.get(NDArrayIndex.all(), NDArrayIndex.interval(10, 30)), w.transpose(), w.reshape(2, 3, 100));
    }

    static double[] sortedEntries(INDArray x) {
        double[] v = x.dup('c').data().asDouble();
        Arrays.sort(v);
        return v;
    }

    @Test
    void normAndHostValuesMatchTheDefinitions() {
        for (DataType dtype : new DataType[] {DataType.FLOAT, DataType.DOUBLE})
            for (INDArray x : layouts(dtype)) {
                double[] entries = sortedEntries(x), host = Norms.hostValues(x).clone();
                Arrays.sort(host);
                assertArrayEquals(entries, host, 0, "the same entries, " + dtype + " " + x.shapeInfoToString());
                double sq = 0;
                for (double v : entries) sq += v * v;
                assertEquals(Math.sqrt(sq), Norms.l2(x), Math.sqrt(sq) * (dtype == DataType.FLOAT ? 1e-6 : 1e-14), dtype + " l2");
            }
    }

    @Test
    void countsAndClipShareMatchTheDefinition() {
        for (DataType dtype : new DataType[] {DataType.FLOAT, DataType.DOUBLE})
            for (INDArray x : layouts(dtype)) {
                for (double bound : new double[] {0, 0.1, 0.25, 0.499, 2}) {
                    long expected = Arrays.stream(x.dup('c').data().asDouble()).filter(v -> Math.abs(v) >= bound).count();
                    assertEquals(expected, Norms.countAbsAtLeast(x, bound), dtype + " bound " + bound);
                }
                assertEquals(Norms.countAbsAtLeast(x, 0.99 * 0.4) / (double) x.length(), WeightClipping.shareAtBound(x, 0.4), 0);
            }
    }

    /**
     * Prometheus "le" buckets, checked against a linear scan, with weights exactly on edges, outside the
     * range, NaN and infinite; a weight at either outer edge is inside the range (first or last bucket within).
     */
    @Test
    void histogramBucketsEveryWeightByTheLeRule() {
        double[] edges = new double[31];
        for (int i = 0; i <= 30; i++) edges[i] = -0.3 + 0.6 * i / 30;
        double[] special = new double[edges.length + 6];
        System.arraycopy(edges, 0, special, 0, edges.length);
        special[edges.length] = -1;
        special[edges.length + 1] = 1;
        special[edges.length + 2] = Double.NaN;
        special[edges.length + 3] = Double.POSITIVE_INFINITY;
        special[edges.length + 4] = Double.NEGATIVE_INFINITY;
        special[edges.length + 5] = Math.nextUp(edges[3]);
        INDArray onEdges = Nd4j.createFromArray(special);
        INDArray random = Nd4j.randn(DataType.FLOAT, 64, 64).muli(0.2);
        for (INDArray w : List.of(onEdges, random, random.transpose())) {
            WeightHistogram h = WeightHistogram.of("critic", "dense1", w, edges);
            long[] expected = new long[edges.length + 1];
            for (double v : Norms.hostValues(w)) {
                int i = 0;
                while (i < edges.length && !(v <= edges[i])) i++;
                if (v == edges[0]) i = 1;
                expected[i]++;
            }
            assertArrayEquals(expected, h.counts());
            assertEquals(w.length(), h.total());
            double finiteSum = 0;
            for (double v : Norms.hostValues(w)) if (Double.isFinite(v)) finiteSum += v;
            assertEquals(finiteSum, h.sum(), 1e-9, "non-finite weights are counted, never summed (a NaN _sum breaks the series)");
        }
    }

    /** Issue 18 item 7: float32 weights clipped to +-c sit at +-(float) c, beyond the double edges, yet inside the range. */
    @Test
    void clippedFloatWeightsAtTheBoundCountInsideTheRange() {
        for (double c : new double[] {0.1, 0.01, 0.001}) {
            double[] edges = new double[21];
            for (int i = 0; i <= 20; i++) edges[i] = -c + 2 * c * i / 20;
            INDArray w = Nd4j.createFromArray((float) -c, (float) c, (float) c, 0f, Math.nextUp((float) c), -Math.nextUp((float) c));
            long[] counts = WeightHistogram.of("critic", "dense1", w, edges).counts();
            assertEquals(1, counts[1], "c = " + c + ": the weight at -c is in the first bucket inside");
            assertEquals(2, counts[20], "c = " + c + ": the weights at +c are in the last bucket inside");
            assertEquals(1, counts[0], "c = " + c + ": only the weight beyond -c is below the range");
            assertEquals(1, counts[21], "c = " + c + ": only the weight beyond +c is above the range");
        }
    }
}

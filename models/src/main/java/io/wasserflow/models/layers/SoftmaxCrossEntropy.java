package io.wasserflow.models.layers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The mean softmax cross-entropy of a batch of logits z [n, k] against integer labels y:
 * L = (1/n) sum_i (logsumexp(z_i) - z_{i, y_i}), with gradient dL/dz_i = (softmax(z_i) - onehot(y_i)) / n.
 * Evaluated on a host copy in double precision with the maximum subtracted first, so large logits
 * neither overflow nor lose the small probabilities.
 *
 * @param loss the mean cross-entropy
 * @param gradient dL/dz, in the logits' data type
 * @param correct how many rows have their largest logit at the label
 */
public record SoftmaxCrossEntropy(double loss, INDArray gradient, int correct) {
    public static SoftmaxCrossEntropy of(INDArray logits, int[] labels) {
        int n = (int) logits.size(0), k = (int) logits.size(1);
        if (labels.length != n) throw new IllegalArgumentException(labels.length + " labels for " + n + " rows of logits");
        double[] z = logits.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] g = new double[n * k];
        double total = 0;
        int correct = 0;
        for (int i = 0; i < n; i++) {
            int y = labels[i];
            if (y < 0 || y >= k) throw new IllegalArgumentException("label " + y + " outside 0.." + (k - 1));
            int o = i * k, argmax = 0;
            double max = z[o];
            for (int j = 1; j < k; j++) if (z[o + j] > max) { max = z[o + j]; argmax = j; }
            double sum = 0;
            for (int j = 0; j < k; j++) sum += Math.exp(z[o + j] - max);
            double logSum = Math.log(sum);
            total += logSum - (z[o + y] - max);
            for (int j = 0; j < k; j++) g[o + j] = Math.exp(z[o + j] - max - logSum) / n;
            g[o + y] -= 1.0 / n;
            if (argmax == y) correct++;
        }
        INDArray gradient = Nd4j.create(g, new long[] {n, k}, 'c').castTo(logits.dataType());
        return new SoftmaxCrossEntropy(total / n, gradient, correct);
    }
}

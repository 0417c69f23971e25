package io.wasserflow.pipeline.job;

import io.wasserflow.models.nets.Flops;
import io.wasserflow.models.nets.Network;
import io.wasserflow.models.nets.Networks;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.util.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * Which trainer subtask trains which experiment: longest processing time first over each
 * experiment's cost, so the subtasks' loads are balanced (LPT is within 4/3 of the best split).
 * Every subtask reads the whole stream, so an experiment's cost is what one streamed sample costs
 * it: the bench's FLOP model of a critic step (the generator step amortised over n_critic) divided
 * by its batch size. The assignment is a pure function of the costs and the subtask count:
 * each subtask works it out for itself, after a restore on any parallelism too, and every
 * experiment lands on exactly one subtask.
 */
public final class TrainerAssignment {
    private TrainerAssignment() {}

    /** Each experiment's FLOPs per streamed sample, in config order. */
    public static double[] costs(List<ExperimentConfig> experiments, long[] dataShape) {
        double[] out = new double[experiments.size()];
        for (int i = 0; i < out.length; i++) out[i] = cost(experiments.get(i), dataShape);
        return out;
    }

    /** One experiment's FLOPs per streamed sample; its networks are built (not trained) to be measured. */
    public static double cost(ExperimentConfig c, long[] dataShape) {
        Rng rng = new Rng(c.seed());
        Network critic = c.bigan() ? Networks.jointCritic(c.architecture(), dataShape, c.zDim(), c.init(), rng, c.dtype())
                : Networks.critic(c.architecture(), dataShape, c.init(), rng, c.dtype());
        Network generator = Networks.generator(c.architecture(), dataShape, c.zDim(), c.init(), rng, c.dtype());
        double perStep = Flops.perCriticStep(critic, generator, c.batchSize(), c.constraint().isPenalty(), c.nCritic());
        if (c.bigan()) { // the encoder as the generator: forward on B every critic step (real pairs), forward and backward every generator step
            double e = Flops.forwardPerSample(Networks.encoder(c.architecture(), dataShape, c.zDim(), c.init(), rng, c.dtype()));
            perStep += e * c.batchSize() + 3 * e * c.batchSize() / c.nCritic();
        }
        return perStep / c.batchSize();
    }

    /**
     * The subtask of each experiment: the costliest first (ties: the lower index first), each to the
     * subtask with the least load so far (ties: the lower subtask).
     */
    public static int[] assign(double[] costs, int subtasks) {
        if (subtasks < 1) throw new IllegalArgumentException("subtasks " + subtasks);
        Integer[] order = IntStream.range(0, costs.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -costs[i]).thenComparingInt(i -> i));
        double[] load = new double[subtasks];
        int[] out = new int[costs.length];
        for (int e : order) {
            int best = 0;
            for (int s = 1; s < subtasks; s++) if (load[s] < load[best]) best = s;
            out[e] = best;
            load[best] += costs[e];
        }
        return out;
    }

    /** The experiments of one subtask, in config order. */
    public static List<Integer> of(double[] costs, int subtasks, int subtask) {
        int[] a = assign(costs, subtasks);
        List<Integer> mine = new ArrayList<>();
        for (int e = 0; e < a.length; e++) if (a[e] == subtask) mine.add(e);
        return mine;
    }

    /** Each subtask's summed cost. */
    public static double[] loads(double[] costs, int subtasks) {
        int[] a = assign(costs, subtasks);
        double[] load = new double[subtasks];
        for (int e = 0; e < a.length; e++) load[a[e]] += costs[e];
        return load;
    }

    /** A line per subtask: its experiments and its share of the FLOPs. */
    public static List<String> describe(List<ExperimentConfig> experiments, double[] costs, int subtasks) {
        int[] a = assign(costs, subtasks);
        double total = Arrays.stream(costs).sum();
        double[] load = loads(costs, subtasks);
        List<String> lines = new ArrayList<>();
        for (int s = 0; s < subtasks; s++) {
            List<String> names = new ArrayList<>();
            for (int e = 0; e < a.length; e++) if (a[e] == s) names.add(experiments.get(e).name());
            lines.add(String.format(Locale.ROOT, "trainer %d: %d experiments, %.0f%% of the FLOPs (%s)", s, names.size(),
                    total > 0 ? 100 * load[s] / total : 0, String.join(", ", names)));
        }
        return lines;
    }
}

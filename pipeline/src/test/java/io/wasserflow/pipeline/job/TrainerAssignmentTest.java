package io.wasserflow.pipeline.job;

import static io.wasserflow.pipeline.testing.TinyConfigs.clip;
import static io.wasserflow.pipeline.testing.TinyConfigs.gp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.testing.TinyConfigs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which trainer subtask trains which experiment: balanced by FLOPs, deterministic, each experiment once. */
class TrainerAssignmentTest {
    @Test
    void theCostliestGoFirstEachToTheLeastLoadedSubtask() {
        // LPT: 5 -> 0, 4 -> 1, 3 -> 1 (7), 3 -> 0 (8), 3 -> 1 (10)
        assertArrayEquals(new int[] {0, 1, 1, 0, 1}, TrainerAssignment.assign(new double[] {5, 4, 3, 3, 3}, 2));
        // the same experiments listed in another order land on the same loads: 8 and 10
        double[] loads = TrainerAssignment.loads(new double[] {3, 3, 5, 3, 4}, 2);
        Arrays.sort(loads);
        assertArrayEquals(new double[] {8, 10}, loads);
        // one heavy experiment alone on a subtask, the light ones share the others
        assertArrayEquals(new int[] {1, 0, 2, 1, 2}, TrainerAssignment.assign(new double[] {1, 10, 1, 1, 1}, 3));
    }

    @Test
    void everyExperimentLandsOnExactlyOneSubtaskWhateverTheParallelism() {
        double[] costs = new double[64];
        for (int i = 0; i < costs.length; i++) costs[i] = 1 + (i * 37 % 11); // ties too
        for (int subtasks = 1; subtasks <= 70; subtasks++) {
            List<Integer> seen = new ArrayList<>();
            for (int s = 0; s < subtasks; s++) seen.addAll(TrainerAssignment.of(costs, subtasks, s));
            seen.sort(null);
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < costs.length; i++) all.add(i);
            assertEquals(all, seen, subtasks + " subtasks");
            assertArrayEquals(TrainerAssignment.assign(costs, subtasks), TrainerAssignment.assign(costs.clone(), subtasks), "deterministic");
            // LPT's bound: the busiest subtask carries at most the mean load plus the largest single cost
            double max = Arrays.stream(TrainerAssignment.loads(costs, subtasks)).max().orElseThrow();
            assertTrue(max <= Arrays.stream(costs).sum() / subtasks + 11, subtasks + " subtasks: busiest load " + max);
        }
    }

    @Test
    void theCostIsTheBenchFlopModelPerStreamedSample() {
        RunConfig c = RunConfig.parse(TinyConfigs.toy("t", clip(), clip().named("clip-b256").batchSize(256), clip().named("wide").mlp(2, 64),
                gp(), gp().named("gp-n5").nCritic(5)));
        double[] cost = TrainerAssignment.costs(c.experiments(), c.dataShape());
        assertEquals(cost[0], cost[1], 1e-9 * cost[0], "a larger batch costs more a step, the same a streamed sample");
        assertTrue(cost[2] > 4 * cost[0], "four times the width, more than four times the FLOPs: " + cost[2] + " vs " + cost[0]);
        assertTrue(cost[3] > cost[0], "the penalty's extra passes");
        assertTrue(cost[4] < cost[3], "n_critic 5 amortises the generator step over more critic steps");
        RunConfig bigan = RunConfig.parse(TinyConfigs.toy("t", gp(), gp().named("bigan").set("model", "bigan")));
        double[] b = TrainerAssignment.costs(bigan.experiments(), bigan.dataShape());
        assertTrue(b[1] > b[0], "a BiGAN's encoder and joint critic cost more than a GAN's critic");
        // depth 2 width 16 on 2-D points: critic 2*(2*16 + 16*16 + 16*1) = 608 flops a sample; generator 2*(2*16 + 16*16 + 16*2) = 640
        double d = 608, g = 640, batch = 64;
        assertEquals((3 * d * 2 * batch + g * batch + (3 * g * batch + 3 * d * batch) / 2) / batch, cost[0], 1e-9);
    }
}

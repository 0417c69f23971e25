package io.wasserflow.pipeline.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The series budget of one endpoint at sweep scale (README, "Prometheus at sweep scale"): an
 * experiment that trains exposes at most {@link #PER_EXPERIMENT} series (every sample line of the
 * exposition, a histogram's buckets each counted) with {@code publish: {layers: ends}} on the toy
 * MLPs and the image DCGAN at the default 30 histogram buckets; one that has finished keeps its
 * summary, at most {@link #PER_FINISHED}. A 64-experiment sweep thus stays within
 * {@code 64 x 400 = 25,600} series while all of it trains, and within {@code 64 x 40} once it
 * has finished. {@code layers: all} on a deep network can exceed it; the budget is what a sweep
 * should be configured for, checked by SweepSeriesBudgetTest.
 */
public final class SeriesBudget {
    private SeriesBudget() {}

    /** Series of one training experiment with {@code layers: ends}. */
    public static final int PER_EXPERIMENT = 400;
    /** Series of one finished experiment: its summary. */
    public static final int PER_FINISHED = 40;

    /** The budget of a sweep of n experiments while they all train. */
    public static int of(int experiments) {
        return experiments * PER_EXPERIMENT;
    }

    private static final Pattern EXPERIMENT = Pattern.compile("[{,]experiment=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /**
     * Counts an exposition's series (sample lines: not comments, not blank) by their {@code experiment}
     * label; the series with none (run-level, the JVM's own) count under the empty name.
     */
    public static Map<String, Integer> count(String exposition) {
        Map<String, Integer> out = new TreeMap<>();
        for (String line : exposition.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) continue;
            Matcher m = EXPERIMENT.matcher(line);
            out.merge(m.find() ? m.group(1) : "", 1, Integer::sum);
        }
        return out;
    }

    /** Every series of an exposition. */
    public static int total(String exposition) {
        return count(exposition).values().stream().mapToInt(Integer::intValue).sum();
    }
}

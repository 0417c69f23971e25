package io.wasserflow.pipeline.metrics;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.wasserflow.schemas.TrainingMetric;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The classic histogram {@code wasserflow_weight{run,experiment,network,layer}}, fed with buckets
 * the trainer has already counted: each publication adds its counts and sum to the series, so
 * {@code increase()} over a window is that window's weight distribution (SPEC §6). Observing
 * millions of weights one by one through client_java's Histogram would cost milliseconds a layer;
 * adding thirty counts costs nanoseconds, and the exposition is the same.
 */
final class WeightHistograms implements Collector {
    private static final String NAME = Metric.WEIGHT.id;
    private static final String[] LABELS = {"run", "experiment", "network", "layer"};

    private final MetricMetadata metadata;
    private final ConcurrentHashMap<List<String>, Series> series = new ConcurrentHashMap<>();

    WeightHistograms(String help) {
        metadata = new MetricMetadata(NAME, help);
    }

    /** Adds one publication's buckets: counts per bucket, not cumulative, the last one the +Inf bucket. */
    void add(TrainingMetric m) {
        String network = m.getLabels().get("network"), layer = m.getLabels().get("layer");
        if (network == null || layer == null || m.getLabels().size() != 2)
            throw new IllegalArgumentException(NAME + " takes labels [network, layer], got " + m.getLabels());
        List<String> key = List.of(m.getRun(), m.getExperiment(), network, layer);
        series.computeIfAbsent(key, k -> new Series(k, m.getBucketUpperBounds())).add(m.getBucketUpperBounds(), m.getBucketCounts(), m.getValue());
    }

    void forget(String run, String experiment) {
        series.keySet().removeIf(k -> k.get(0).equals(run) && k.get(1).equals(experiment));
    }

    @Override
    public String getPrometheusName() {
        return NAME;
    }

    @Override
    public HistogramSnapshot collect() {
        List<HistogramDataPointSnapshot> points = new ArrayList<>(series.size());
        for (Series s : series.values()) points.add(s.snapshot());
        return new HistogramSnapshot(metadata, points);
    }

    /** One layer's accumulated buckets; the edges are fixed by its first publication. */
    private static final class Series {
        private final Labels labels;
        private final double[] upperBounds; // the edges, then +Inf
        private final long[] counts;
        private double sum;

        Series(List<String> key, List<Double> edges) {
            labels = Labels.of(LABELS, key.toArray(String[]::new));
            upperBounds = new double[edges.size() + 1];
            for (int i = 0; i < edges.size(); i++) {
                upperBounds[i] = edges.get(i);
                if (Double.isNaN(upperBounds[i]) || upperBounds[i] == Double.POSITIVE_INFINITY || (i > 0 && upperBounds[i] <= upperBounds[i - 1]))
                    throw new IllegalArgumentException(NAME + labels + ": bucket edges must be finite and increasing, got " + edges);
            }
            upperBounds[edges.size()] = Double.POSITIVE_INFINITY;
            counts = new long[upperBounds.length];
        }

        synchronized void add(List<Double> edges, List<Long> bucketCounts, double bucketSum) {
            boolean sameEdges = edges.size() == upperBounds.length - 1;
            for (int i = 0; sameEdges && i < edges.size(); i++) sameEdges = edges.get(i) == upperBounds[i];
            if (!sameEdges)
                throw new IllegalArgumentException(NAME + labels + ": bucket edges changed from " + Arrays.toString(Arrays.copyOf(upperBounds, upperBounds.length - 1)) + " to " + edges);
            if (bucketCounts.size() != counts.length)
                throw new IllegalArgumentException(NAME + labels + ": " + bucketCounts.size() + " bucket counts for " + edges.size() + " edges (one more expected, the +Inf bucket)");
            for (long c : bucketCounts) if (c < 0) throw new IllegalArgumentException(NAME + labels + ": negative bucket count " + c);
            for (int i = 0; i < counts.length; i++) counts[i] += bucketCounts.get(i);
            sum += bucketSum;
        }

        synchronized HistogramDataPointSnapshot snapshot() {
            return new HistogramDataPointSnapshot(ClassicHistogramBuckets.of(upperBounds, counts), sum, labels, Exemplars.EMPTY, 0L);
        }
    }
}

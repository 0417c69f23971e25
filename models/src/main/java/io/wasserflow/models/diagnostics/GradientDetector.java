package io.wasserflow.models.diagnostics;

import io.wasserflow.models.train.ExperimentConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The in-job detector: watches every step's per-layer weight-gradient norms and reports when a layer
 * starts or stops being vanishing (below the config's threshold; float32 gradients that underflow to
 * exactly 0 count), exploding (above it) or non-finite. A non-finite loss is reported as the layer
 * {@code loss} of the network that was trained. It reports changes only, so a layer that stays
 * vanishing for 10,000 steps raises one alert, not 10,000; {@link #firing()} is the current picture.
 */
public final class GradientDetector {
    public enum Kind { VANISHING, EXPLODING, NON_FINITE }

    /** A layer started ({@code firing}) or stopped showing {@code kind}; value is the norm that decided it. */
    public record Alert(Kind kind, String network, String layer, double value, double threshold, boolean firing) {}

    private final ExperimentConfig.Alerts thresholds;
    private final Map<String, Alert> firing = new HashMap<>();

    public GradientDetector(ExperimentConfig.Alerts thresholds) {
        this.thresholds = thresholds;
    }

    /** The changes this step brings. Steps that computed no norms change nothing but the loss check. */
    public List<Alert> check(StepReport r) {
        List<Alert> changes = new ArrayList<>();
        for (LayerValue v : r.weightGradientNorms()) update(changes, v.network(), v.layer(), v.value());
        String trained = r.kind() == StepReport.Kind.CRITIC ? "critic" : "generator";
        update(changes, trained, "loss", r.finite() ? 1.0 : Double.NaN); // a loss is never vanishing or exploding here
        return changes;
    }

    private void update(List<Alert> changes, String network, String layer, double norm) {
        String key = network + "/" + layer;
        boolean loss = layer.equals("loss");
        Alert now = null;
        if (!Double.isFinite(norm)) now = new Alert(Kind.NON_FINITE, network, layer, norm, Double.NaN, true);
        else if (!loss && norm < thresholds.vanishingBelow()) now = new Alert(Kind.VANISHING, network, layer, norm, thresholds.vanishingBelow(), true);
        else if (!loss && norm > thresholds.explodingAbove()) now = new Alert(Kind.EXPLODING, network, layer, norm, thresholds.explodingAbove(), true);
        Alert before = firing.get(key);
        if (before != null && (now == null || now.kind() != before.kind())) {
            changes.add(new Alert(before.kind(), network, layer, norm, before.threshold(), false));
            firing.remove(key);
        }
        if (now != null && (before == null || before.kind() != now.kind())) {
            changes.add(now);
            firing.put(key, now);
        }
    }

    /** The alerts firing now, one per layer at most. */
    public List<Alert> firing() {
        return List.copyOf(firing.values());
    }
}

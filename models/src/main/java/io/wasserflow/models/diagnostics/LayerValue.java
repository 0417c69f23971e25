package io.wasserflow.models.diagnostics;

/** One per-layer figure: network (critic or generator), layer name, value. */
public record LayerValue(String network, String layer, double value) {}

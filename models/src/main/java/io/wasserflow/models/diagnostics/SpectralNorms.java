package io.wasserflow.models.diagnostics;

import io.wasserflow.models.layers.Layer;
import io.wasserflow.models.nets.Network;
import io.wasserflow.models.util.Rng;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The published {@code wasserflow_layer_spectral_norm}: the largest singular value of each linear
 * layer's weight as the layer computes with it (W, or W / sigma under spectral normalisation; a
 * convolution's kernel read as [out, in*k*k]), by one power step per measurement from the
 * measurement's own persistent vectors. Warm-started, one step tracks weights that move little
 * between measurements; it costs two matrix-vector products per layer.
 */
public final class SpectralNorms {
    /** The vectors' start comes from this seed, never from the training stream: measuring changes no training result. */
    static final long SEED = 0x5350454354524DL;

    private final Network network;
    private final List<PowerIteration> powers = new ArrayList<>();

    public SpectralNorms(Network network) {
        this.network = network;
        Rng rng = new Rng(SEED);
        for (Layer l : network.linearLayers()) powers.add(PowerIteration.of(l, rng));
    }

    /** One power step per layer, then each layer's sigma. */
    public List<LayerValue> measure() {
        List<LayerValue> out = new ArrayList<>();
        List<Layer> layers = network.linearLayers();
        for (int i = 0; i < layers.size(); i++) {
            var w = layers.get(i).params().get(0).effective();
            // the step's |A v| is sigma(w) to rounding: one matrix-vector product and a reduction fewer per layer per measurement
            out.add(new LayerValue(network.role, layers.get(i).name(), powers.get(i).step(w)));
        }
        return out;
    }

    public void write(DataOutputStream out) throws IOException {
        out.writeInt(powers.size());
        for (PowerIteration p : powers) p.write(out);
    }

    public void read(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n != powers.size()) throw new IOException("state holds " + n + " spectral-norm measurements, " + network.role + " has " + powers.size() + " linear layers");
        for (PowerIteration p : powers) p.read(in);
    }
}

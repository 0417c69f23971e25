package io.wasserflow.models.optim;

import io.wasserflow.models.layers.Param;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;

/** A first-order update rule with state that serializes for checkpoints. */
public interface Optimizer {
    /** One update of {@code params} from their gradients, then every value clamped to [-clip, clip] when clip > 0. */
    void step(List<Param> params, double clip);

    default void step(List<Param> params) {
        step(params, 0);
    }

    void writeState(DataOutputStream out) throws IOException;

    void readState(DataInputStream in) throws IOException;

    static Optimizer of(OptimizerConfig c, List<Param> params) {
        return switch (c.kind()) {
            case SGD -> new Sgd(c.lr());
            case RMSPROP -> new RmsProp(c.lr(), params);
            case ADAM -> new Adam(c.lr(), c.beta1(), c.beta2(), params);
        };
    }
}

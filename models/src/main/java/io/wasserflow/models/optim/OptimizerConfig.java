package io.wasserflow.models.optim;

import java.io.Serializable;

/** An optimizer and its hyperparameters; betas are used by Adam only. */
public record OptimizerConfig(Kind kind, double lr, double beta1, double beta2) implements Serializable {
    public enum Kind { RMSPROP, ADAM, SGD }

    public static OptimizerConfig adam(double lr, double beta1, double beta2) {
        return new OptimizerConfig(Kind.ADAM, lr, beta1, beta2);
    }

    public static OptimizerConfig rmsprop(double lr) {
        return new OptimizerConfig(Kind.RMSPROP, lr, 0, 0);
    }

    public static OptimizerConfig sgd(double lr) {
        return new OptimizerConfig(Kind.SGD, lr, 0, 0);
    }
}

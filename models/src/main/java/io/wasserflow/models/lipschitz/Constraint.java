package io.wasserflow.models.lipschitz;

import java.io.Serializable;

/** How the critic is kept Lipschitz (SCIENCE.md, "Keeping the critic Lipschitz"). */
public sealed interface Constraint extends Serializable {
    /** No constraint (the standard GAN baselines, or an unconstrained critic). */
    record None() implements Constraint {}

    /** WGAN: clamp every critic parameter to [-c, c] after every critic update. */
    record Clip(double c) implements Constraint {}

    /** WGAN-GP: lambda mean (||grad D(x-hat)|| - 1)^2. */
    record GradientPenalty(double lambda) implements Constraint {}

    /** WGAN-LP: lambda mean max(0, ||grad D(x-hat)|| - 1)^2, penalising only slopes above 1. */
    record OneSidedPenalty(double lambda) implements Constraint {}

    /** Spectral normalisation (Miyato et al. 2018): each critic weight used as W / sigma(W), sigma by power iteration. */
    record SpectralNorm(int powerIterations) implements Constraint {
        /** Miyato et al.: one power step per update suffices, u carried from update to update. */
        public static final int DEFAULT_POWER_ITERATIONS = 1;
    }

    default String id() {
        if (this instanceof Clip) return "clip";
        if (this instanceof GradientPenalty) return "gp";
        if (this instanceof OneSidedPenalty) return "lp";
        if (this instanceof SpectralNorm) return "sn";
        return "none";
    }

    default boolean isPenalty() {
        return this instanceof GradientPenalty || this instanceof OneSidedPenalty;
    }
}

package io.wasserflow.pipeline.run;

import java.io.IOException;
import java.io.StringReader;
import java.util.Properties;

/**
 * What an experiment ended with, as the job writes it at the end of input: its parameter digest
 * (SHA-256 of every parameter's exact values, critic then generator) and its step counters. The
 * commands read it instead of rebuilding the networks to hash them.
 */
public record ExperimentResult(String experiment, String parameterDigest, long generatorSteps, long criticSteps, boolean diverged) {

    String encode() {
        return "experiment=" + experiment + "\nparameter_digest=" + parameterDigest + "\ngenerator_steps=" + generatorSteps
                + "\ncritic_steps=" + criticSteps + "\ndiverged=" + diverged + "\n";
    }

    static ExperimentResult decode(String text) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(text));
        try {
            return new ExperimentResult(p.getProperty("experiment"), p.getProperty("parameter_digest"), Long.parseLong(p.getProperty("generator_steps")),
                    Long.parseLong(p.getProperty("critic_steps")), Boolean.parseBoolean(p.getProperty("diverged")));
        } catch (RuntimeException e) {
            throw new IOException("not an experiment result: " + e.getMessage(), e);
        }
    }
}

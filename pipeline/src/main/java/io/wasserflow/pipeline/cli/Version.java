package io.wasserflow.pipeline.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The code version recorded in run manifests (git commit and whether the tree was modified, written at build time). */
final class Version {
    private Version() {}

    private static final Properties P = new Properties();

    static {
        try (InputStream in = Version.class.getResourceAsStream("/io/wasserflow/version.properties")) {
            if (in != null) P.load(in);
        } catch (IOException ignored) {
            // no version file: reported as unknown
        }
    }

    static String commit() {
        return P.getProperty("commit", "unknown");
    }

    static boolean modified() {
        return Boolean.parseBoolean(P.getProperty("modified", "true"));
    }
}

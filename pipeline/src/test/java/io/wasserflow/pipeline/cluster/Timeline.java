package io.wasserflow.pipeline.cluster;

import java.util.Locale;

/** Prints what a test did, each line stamped with the seconds since the test began. */
final class Timeline {
    private final long t0 = System.nanoTime();

    void say(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[%5.1f s] %s%n", (System.nanoTime() - t0) / 1e9, String.format(Locale.ROOT, format, args));
    }
}

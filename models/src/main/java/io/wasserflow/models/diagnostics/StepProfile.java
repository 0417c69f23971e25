package io.wasserflow.models.diagnostics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a training step's time goes, for `bench --profile`: wall time per phase of the step and per
 * kernel (a layer kind's pass, an optimizer update, the clipping pass). Off unless the benchmark
 * turns it on for the thread it measures; off, each timing point costs a thread-local read.
 * Array operations on the CPU backend return when their result is ready, so a wall-clock interval
 * around a call is that call's time.
 */
public final class StepProfile {
    private static final ThreadLocal<StepProfile> ACTIVE = new ThreadLocal<>();

    /** Accumulated nanoseconds and calls per name, in first-seen order. */
    private final Map<String, long[]> phases = new LinkedHashMap<>(), kernels = new LinkedHashMap<>();

    /** Profiles the calling thread's steps from now on, until {@link #stop}. */
    public static StepProfile start() {
        StepProfile p = new StepProfile();
        ACTIVE.set(p);
        return p;
    }

    public static void stop() {
        ACTIVE.remove();
    }

    /** The clock for a timing point: {@code long t = clock(); ...; phase("name", t);} 0 when off. */
    public static long clock() {
        return ACTIVE.get() == null ? 0 : System.nanoTime();
    }

    /** Counts the time since {@code from} to the named phase (phases may contain kernels and other phases). */
    public static void phase(String name, long from) {
        StepProfile p = ACTIVE.get();
        if (p != null) p.add(p.phases, name, System.nanoTime() - from);
    }

    /** Counts the time since {@code from} to the named kernel (kernels do not nest). */
    public static void kernel(String name, long from) {
        StepProfile p = ACTIVE.get();
        if (p != null) p.add(p.kernels, name, System.nanoTime() - from);
    }

    /** As {@link #kernel(String, long)} for the kernel named {@code what + " " + pass}, the name made only when profiling. */
    public static void kernel(String what, String pass, long from) {
        StepProfile p = ACTIVE.get();
        if (p != null) p.add(p.kernels, what + " " + pass, System.nanoTime() - from);
    }

    private void add(Map<String, long[]> into, String name, long nanos) {
        long[] a = into.computeIfAbsent(name, k -> new long[2]);
        a[0] += nanos;
        a[1]++;
    }

    public Map<String, long[]> phases() { return phases; }

    public Map<String, long[]> kernels() { return kernels; }
}

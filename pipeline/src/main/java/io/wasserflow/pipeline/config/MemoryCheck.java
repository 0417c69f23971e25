package io.wasserflow.pipeline.config;

import io.wasserflow.models.nets.MemoryEstimate;
import io.wasserflow.models.train.ExperimentConfig;
import java.util.Locale;
import org.bytedeco.javacpp.Pointer;

/**
 * Refuses, in one line and before anything starts, a run whose experiments cannot fit in this JVM:
 * a tensor beyond what one ND4J array holds, an experiment or all of them together beyond the
 * off-heap memory ND4J may take (JavaCPP's limit, by default the heap's -Xmx), or checkpoints
 * beyond the heap. Every experiment of a local run trains in this JVM, so their needs add up.
 */
public final class MemoryCheck {
    private MemoryCheck() {}

    /** What to tell the user who wants more. */
    static final String RAISE = "give the JVM more (WASSERFLOW_JAVA_OPTS=-Xmx..., which also raises ND4J's off-heap limit, "
            + "or -Dorg.bytedeco.javacpp.maxbytes=... for off-heap alone)";

    public static void check(RunConfig config) {
        check(config, offHeapLimit(), Runtime.getRuntime().maxMemory());
    }

    /**
     * The memory ND4J's arrays may take in this JVM: JavaCPP's off-heap limit, what its limit on the
     * whole process leaves beside the heap, and what the machine's memory leaves beside it, whichever
     * is least (JavaCPP's defaults: -Xmx off-heap, twice -Xmx for the process).
     */
    public static long offHeapLimit() {
        long heap = Runtime.getRuntime().maxMemory(), limit = Long.MAX_VALUE;
        if (Pointer.maxBytes() > 0) limit = Math.min(limit, Pointer.maxBytes());
        if (Pointer.maxPhysicalBytes() > 0) limit = Math.min(limit, Pointer.maxPhysicalBytes() - heap);
        if (Pointer.totalPhysicalBytes() > 0) limit = Math.min(limit, Pointer.totalPhysicalBytes() - heap);
        return Math.max(0, limit);
    }

    static void check(RunConfig config, long offHeapLimit, long heapLimit) {
        double offHeap = MemoryEstimate.JVM_OVERHEAD_BYTES, heap = 0;
        for (int i = 0; i < config.experiments().size(); i++) {
            ExperimentConfig c = config.experiments().get(i);
            String path = "experiments[" + i + "] (" + c.name() + ")";
            MemoryEstimate e = MemoryEstimate.of(c, config.dataShape());
            if (e.largestTensor() > MemoryEstimate.MAX_TENSOR_ELEMENTS)
                throw new ConfigException(path + ".architecture", String.format(Locale.ROOT,
                        "a weight tensor of %,d elements is more than one ND4J array holds (%,d): make the network narrower", e.largestTensor(),
                        MemoryEstimate.MAX_TENSOR_ELEMENTS));
            if (e.offHeapBytes() + MemoryEstimate.JVM_OVERHEAD_BYTES > offHeapLimit)
                throw new ConfigException(path, String.format(Locale.ROOT, "needs about %s of memory (%s), more than the %s "
                        + "ND4J may use in this JVM: make it smaller, or %s", MemoryEstimate.bytes(e.offHeapBytes() + MemoryEstimate.JVM_OVERHEAD_BYTES), e.describe() + ", the JVM's own "
                        + MemoryEstimate.bytes(MemoryEstimate.JVM_OVERHEAD_BYTES),
                        MemoryEstimate.bytes(offHeapLimit), RAISE));
            offHeap += e.offHeapBytes();
            heap += e.heapBytes();
        }
        if (offHeap > offHeapLimit)
            throw new ConfigException("experiments", String.format(Locale.ROOT, "the %d experiments need about %s of memory together, more than "
                    + "the %s ND4J may use in this JVM: run fewer at once, or %s", config.experiments().size(), MemoryEstimate.bytes(offHeap),
                    MemoryEstimate.bytes(offHeapLimit), RAISE));
        if (heap > heapLimit)
            throw new ConfigException("experiments", String.format(Locale.ROOT, "checkpointing the %d experiments needs about %s of heap, more than "
                    + "this JVM's %s: run fewer at once, or %s", config.experiments().size(), MemoryEstimate.bytes(heap), MemoryEstimate.bytes(heapLimit), RAISE));
    }
}

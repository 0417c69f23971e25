package io.wasserflow.models.optim;

import io.wasserflow.models.layers.Param;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fast path of the float32 updates on the CPU backend: one plain Java loop per tensor over host
 * copies, which the JIT vectorises (libnd4j's fused updaters take about 2 ns an element here, most
 * of it in a scalar square root; docs/performance.md), with weight clipping in the same
 * pass. Java's float arithmetic is IEEE and never contracted, so the bits depend on nothing but the
 * inputs. Float64 (the gradient checks), other backends and tensors that do not own their whole
 * buffer take the native ops instead.
 */
final class HostLoops {
    private HostLoops() {}

    private static final boolean CPU = Nd4j.getBackend().getClass().getSimpleName().startsWith("Cpu");
    private static volatile boolean enabled = CPU;

    /** Agreement tests turn the fast path off to compare it with the native one. */
    static void enable(boolean on) {
        enabled = on && CPU;
    }

    static boolean usable(Param p) {
        return enabled && p.value.dataType() == DataType.FLOAT && owns(p.value) && owns(p.grad);
    }

    private static boolean owns(INDArray a) {
        return a.offset() == 0 && a.data().length() == a.length();
    }

    /** A copy of the values in one memcpy (DataBuffer.asFloat reads element by element, forty times slower). */
    static float[] read(INDArray a) {
        return read(a, new float[Math.toIntExact(a.length())]);
    }

    /** The values copied into {@code into} (reused from step to step: a fresh megabyte array costs more than the loop). */
    static float[] read(INDArray a, float[] into) {
        new FloatPointer(a.data().addressPointer()).get(into);
        return into;
    }

    /** Scratch arrays for a tensor's gradient and values, made once per tensor. */
    static final class Scratch {
        private final float[][] grads, values;

        Scratch(int tensors) {
            grads = new float[tensors][];
            values = new float[tensors][];
        }

        float[] grad(int i, Param p) {
            return copy(grads, i, p.grad);
        }

        float[] value(int i, Param p) {
            return copy(values, i, p.value);
        }

        private static float[] copy(float[][] slots, int i, INDArray a) {
            if (slots[i] == null) slots[i] = new float[Math.toIntExact(a.length())];
            return read(a, slots[i]);
        }
    }

    static void write(INDArray a, float[] values) {
        new FloatPointer(a.data().addressPointer()).put(values);
    }
}

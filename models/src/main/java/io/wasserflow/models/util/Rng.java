package io.wasserflow.models.util;

import java.nio.ByteBuffer;

/**
 * The random generator of one experiment: xoshiro256** with its whole state in four longs (plus a
 * spare Gaussian), so it is saved with a checkpoint and continues the same stream after a restart
 * on any thread. ND4J's per-thread default generator is never used.
 */
public final class Rng {
    private long s0, s1, s2, s3;
    private boolean hasSpare;
    private double spare;

    public Rng(long seed) {
        // SplitMix64 expands the seed into the four state words, as the xoshiro authors recommend.
        long x = seed;
        s0 = splitMix(x += 0x9E3779B97F4A7C15L);
        s1 = splitMix(x += 0x9E3779B97F4A7C15L);
        s2 = splitMix(x += 0x9E3779B97F4A7C15L);
        s3 = splitMix(x + 0x9E3779B97F4A7C15L);
    }

    private static long splitMix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public long nextLong() {
        long result = Long.rotateLeft(s1 * 5, 7) * 9;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    public int nextInt(int bound) {
        return (int) Math.floorMod(nextLong() >>> 1, (long) bound);
    }

    /** Standard normal by the polar Box-Muller method; the second value is kept as state. */
    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spare;
        }
        double u, v, s;
        do {
            u = 2 * nextDouble() - 1;
            v = 2 * nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double m = Math.sqrt(-2 * Math.log(s) / s);
        spare = v * m;
        hasSpare = true;
        return u * m;
    }

    /** An independent generator derived from this one (for a sub-stream such as data generation). */
    public Rng split() {
        return new Rng(nextLong());
    }

    public static final int STATE_BYTES = 4 * Long.BYTES + 1 + Double.BYTES;

    public void writeTo(ByteBuffer out) {
        out.putLong(s0).putLong(s1).putLong(s2).putLong(s3).put((byte) (hasSpare ? 1 : 0)).putDouble(spare);
    }

    public static Rng readFrom(ByteBuffer in) {
        Rng r = new Rng(0);
        r.s0 = in.getLong();
        r.s1 = in.getLong();
        r.s2 = in.getLong();
        r.s3 = in.getLong();
        r.hasSpare = in.get() != 0;
        r.spare = in.getDouble();
        return r;
    }

    public byte[] state() {
        ByteBuffer b = ByteBuffer.allocate(STATE_BYTES);
        writeTo(b);
        return b.array();
    }

    public static Rng fromState(byte[] state) {
        return readFrom(ByteBuffer.wrap(state));
    }
}

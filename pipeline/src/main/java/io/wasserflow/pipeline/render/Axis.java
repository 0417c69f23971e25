package io.wasserflow.pipeline.render;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One axis of a chart: a data range (linear, log10 or categorical), its placement in pixels, and
 * its ticks at nice numbers (1, 2, 5 x 10^k; powers of ten on a log axis).
 */
final class Axis {
    /** A tick at value; labelled ones carry text, drawn as text followed by a superscript exponent when not null. */
    record Tick(double value, String text, String exponent, boolean labelled) {}

    final double lo, hi;
    final boolean log;
    private final List<String> categories;
    private double p0, p1;

    private Axis(double lo, double hi, boolean log, List<String> categories) {
        this.lo = lo;
        this.hi = hi;
        this.log = log;
        this.categories = categories;
    }

    /** [min, max] widened by pad (a share of the span) on each side; a single value gets a range around it, no value [0, 1]. */
    static Axis linear(double min, double max, double pad) {
        if (!(min <= max)) return new Axis(0, 1, false, null);
        if (min == max) {
            double h = min == 0 ? 1 : Math.abs(min) * 0.1;
            min -= h;
            max += h;
        }
        double p = (max - min) * pad;
        return new Axis(min - p, max + p, false, null);
    }

    /** Log10 axis over [min, max] (both positive), widened by pad of the span in decades; a single value gets one decade. */
    static Axis log(double min, double max, double pad) {
        if (!(min <= max)) return new Axis(1, 10, true, null);
        double a = Math.log10(min), b = Math.log10(max);
        if (a == b) {
            a -= 0.5;
            b += 0.5;
        }
        double p = (b - a) * pad;
        return new Axis(Math.pow(10, a - p), Math.pow(10, b + p), true, null);
    }

    /** Positions 1..n labelled with the given names, with half a position to spare at each end. */
    static Axis categories(List<String> labels) {
        return new Axis(0.5, labels.size() + 0.5, false, List.copyOf(labels));
    }

    boolean categorical() {
        return categories != null;
    }

    /** Places lo at pixel p0 and hi at pixel p1 (p0 > p1 for a vertical axis, which grows upwards). */
    void place(double p0, double p1) {
        this.p0 = p0;
        this.p1 = p1;
    }

    double px(double v) {
        double t = log ? (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : (v - lo) / (hi - lo);
        return p0 + t * (p1 - p0);
    }

    /** Ticks with about target labelled ones at most (categories: every k-th name so that at most target are labelled). */
    List<Tick> ticks(int target) {
        target = Math.max(2, target);
        List<Tick> out = new ArrayList<>();
        if (categories != null) {
            int stride = (categories.size() + target - 1) / target;
            for (int i = 0; i < categories.size(); i++) out.add(new Tick(i + 1, categories.get(i), null, i % stride == 0));
            return out;
        }
        if (!log) {
            double step = niceStep((hi - lo) / target);
            for (long k = (long) Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.add(label(k * step, step));
            return out;
        }
        double a = Math.log10(lo), b = Math.log10(hi);
        int kMin = (int) Math.ceil(a - 1e-9), kMax = (int) Math.floor(b + 1e-9);
        if (kMax > kMin) {
            int decades = kMax - kMin + 1, stride = 1;
            for (int s : new int[] {1, 2, 3, 4, 5, 10, 20, 50, 100}) if ((stride = s) * target >= decades) break;
            for (int k = kMin; k <= kMax; k++) {
                boolean labelled = Math.floorMod(k, stride) == 0;
                out.add(labelled ? new Tick(Math.pow(10, k), "10", pow10Exponent(k), true) : new Tick(Math.pow(10, k), null, null, false));
                if (stride == 1 && b - a <= 6)
                    for (int m = 2; m <= 9; m++) out.add(new Tick(m * Math.pow(10, k), null, null, false));
            }
            if (stride == 1 && b - a <= 6)
                for (int m = 2; m <= 9; m++) out.add(new Tick(m * Math.pow(10, kMin - 1), null, null, false));
            out.removeIf(t -> t.value < lo * (1 - 1e-9) || t.value > hi * (1 + 1e-9));
            return out;
        }
        // less than two powers of ten in view: label 1, 2 and 5 x 10^k, and mark the rest of 1..9 x 10^k
        for (int k = (int) Math.floor(a); k <= (int) Math.ceil(b); k++)
            for (int m = 1; m <= 9; m++) {
                double v = m * Math.pow(10, k);
                if (v < lo * (1 - 1e-9) || v > hi * (1 + 1e-9)) continue;
                out.add(m == 1 || m == 2 || m == 5 ? label(v, Math.pow(10, k)) : new Tick(v, null, null, false));
            }
        if (out.stream().filter(Tick::labelled).count() < 2) out.replaceAll(t -> label(t.value, Math.pow(10, Math.floor(Math.log10(t.value) + 1e-9))));
        return out;
    }

    /** 1, 2 or 5 x 10^k, the nearest to raw. */
    static double niceStep(double raw) {
        double e = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / e;
        return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * e;
    }

    /** v written to the precision of step: fixed-point for ordinary magnitudes, m x 10^e otherwise. */
    static Tick label(double v, double step) {
        if (Math.abs(v) < step * 1e-6) v = 0;
        double a = Math.abs(v);
        int stepExp = (int) Math.floor(Math.log10(step) + 1e-9);
        if (v == 0 || a >= 1e-4 && a < 1e6 && step >= 1e-4)
            return new Tick(v, minus(String.format(Locale.ROOT, "%." + Math.max(0, -stepExp) + "f", v)), null, true);
        int e = (int) Math.floor(Math.log10(a) + 1e-9);
        double m = v / Math.pow(10, e);
        String mantissa = String.format(Locale.ROOT, "%." + Math.max(0, e - stepExp) + "f", m);
        String text = mantissa.equals("1") ? "10" : mantissa.equals("-1") ? "-10" : mantissa + "×10";
        return new Tick(v, minus(text), pow10Exponent(e), true);
    }

    private static String pow10Exponent(int k) {
        return minus(Integer.toString(k));
    }

    /** The typographic minus sign, as in printed figures. */
    private static String minus(String s) {
        return s.replace('-', '\u2212');
    }
}

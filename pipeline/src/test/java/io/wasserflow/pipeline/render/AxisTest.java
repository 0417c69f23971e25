package io.wasserflow.pipeline.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AxisTest {
    private static List<Axis.Tick> labelled(Axis axis, int target) {
        return axis.ticks(target).stream().filter(Axis.Tick::labelled).toList();
    }

    @Test
    void linearTicksAreOneTwoOrFiveTimesAPowerOfTen() {
        for (double[] range : new double[][] {{0, 0.93}, {-3.7, 12.2}, {1234, 98765}, {-2e-6, 3e-6}, {0.2, 0.2004}}) {
            List<Axis.Tick> ticks = labelled(Axis.linear(range[0], range[1], 0), 6);
            assertTrue(ticks.size() >= 2 && ticks.size() <= 12, ticks.size() + " ticks on " + range[0] + ".." + range[1]);
            double step = ticks.get(1).value() - ticks.get(0).value();
            double mantissa = step / Math.pow(10, Math.floor(Math.log10(step) + 1e-9));
            assertTrue(List.of(1.0, 2.0, 5.0).stream().anyMatch(m -> Math.abs(m - mantissa) < 1e-6), "step " + step);
            for (Axis.Tick t : ticks) {
                assertTrue(t.value() >= range[0] - 1e-12 && t.value() <= range[1] + 1e-12, "tick " + t.value() + " in range");
                assertEquals(0, Math.abs(Math.IEEEremainder(t.value(), step)), step * 1e-6, "tick " + t.value() + " a multiple of " + step);
            }
        }
    }

    @Test
    void labelsAreWrittenToTheStepsPrecision() {
        List<Axis.Tick> ticks = labelled(Axis.linear(-1, 1, 0), 4);
        assertEquals(List.of("\u22121.0", "\u22120.5", "0.0", "0.5", "1.0"), ticks.stream().map(Axis.Tick::text).toList());
        Axis.Tick tiny = Axis.label(2e-6, 1e-6);
        assertEquals("2×10", tiny.text());
        assertEquals("\u22126", tiny.exponent());
    }

    @Test
    void logTicksAreLabelledAtPowersOfTen() {
        List<Axis.Tick> ticks = labelled(Axis.log(1e-12, 1e3, 0), 8);
        assertTrue(ticks.size() >= 4 && ticks.size() <= 8, ticks.size() + " labels over 15 decades");
        for (Axis.Tick t : ticks) {
            double k = Math.log10(t.value());
            assertEquals(Math.rint(k), k, 1e-9, "power of ten");
            assertEquals("10", t.text());
            assertEquals(Integer.toString((int) Math.rint(k)).replace('-', '\u2212'), t.exponent());
        }
        assertEquals(ticks.get(1).value() / ticks.get(0).value(), ticks.get(2).value() / ticks.get(1).value(), 1e-6, "evenly strided decades");
    }

    @Test
    void shortLogRangesAreLabelledAtOneTwoAndFive() {
        assertEquals(List.of("0.5", "1", "2", "5"), labelled(Axis.log(0.3, 8, 0), 6).stream().map(Axis.Tick::text).toList());
    }

    @Test
    void logAxisMapsDecadesToEqualDistances() {
        Axis axis = Axis.log(1e-4, 1e2, 0);
        axis.place(600, 0);
        assertEquals(600, axis.px(1e-4), 1e-9);
        assertEquals(0, axis.px(1e2), 1e-9);
        assertEquals(axis.px(1e-3) - axis.px(1), axis.px(1) - axis.px(1e3), 1e-9);
    }
}

package io.wasserflow.pipeline.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The experiment state codec: a CRC-32C over the whole entry, so a cut or changed checkpoint is caught before a restore, in one line. */
class RunnerStateTest {
    static RunnerState state() {
        byte[] trainer = new byte[300];
        new Random(3).nextBytes(trainer);
        return new RunnerState(2, trainer, new float[] {0.5f, -1f, Float.NaN}, false);
    }

    @Test
    void roundTripsEveryField() {
        RunnerState back = RunnerState.decode(state().encode());
        assertEquals(2, back.experiment());
        assertArrayEquals(state().trainer(), back.trainer());
        assertArrayEquals(state().pending(), back.pending());
        assertEquals(false, back.diverged());
        assertTrue(RunnerState.decode(state().markedDiverged().encode()).diverged());
    }

    @Test
    void everyChangedByteAndEveryCutIsRefusedInOneLine() {
        byte[] good = state().encode();
        for (int i = 8; i < good.length; i++) { // after magic and version, which have messages of their own
            byte[] bad = good.clone();
            bad[i] ^= 0x10;
            assertOneLine(assertThrows(RunnerState.CorruptState.class, () -> RunnerState.decode(bad)), "checksum mismatch");
        }
        for (int n : new int[] {0, 7, 12, good.length / 2, good.length - 1}) {
            byte[] cut = Arrays.copyOf(good, n);
            RunnerState.CorruptState e = assertThrows(RunnerState.CorruptState.class, () -> RunnerState.decode(cut));
            assertOneLine(e, "cannot restore experiment state");
        }
        byte[] longer = Arrays.copyOf(good, good.length + 4);
        assertOneLine(assertThrows(RunnerState.CorruptState.class, () -> RunnerState.decode(longer)), "checksum mismatch");
    }

    @Test
    void theOlderVersionWithoutAChecksumIsRefusedByName() {
        // version 1's layout: magic, version, experiment, trainer, pending, diverged; no checksum
        byte[] trainer = {1, 2, 3};
        ByteBuffer v1 = ByteBuffer.allocate(4 * 4 + trainer.length + 4 + 1);
        v1.putInt(0x57465253).putInt(1).putInt(0).putInt(trainer.length).put(trainer).putInt(0).put((byte) 0);
        RunnerState.CorruptState e = assertThrows(RunnerState.CorruptState.class, () -> RunnerState.decode(v1.array()));
        assertOneLine(e, "version 1 (written before states carried a checksum), this build reads only version 2");
        assertOneLine(assertThrows(RunnerState.CorruptState.class, () -> RunnerState.decode(new byte[40])), "not a Wasserflow experiment state");
    }

    static void assertOneLine(RuntimeException e, String mention) {
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().contains(mention), e.getMessage());
    }
}

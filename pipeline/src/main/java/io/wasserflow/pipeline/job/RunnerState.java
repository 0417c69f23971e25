package io.wasserflow.pipeline.job;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.CRC32C;

/**
 * One experiment's entry in the trainers' checkpointed state: its index in the config, the
 * trainer's own state, the samples that do not yet fill a batch, and whether it diverged. One
 * writer and one reader of a versioned layout, which ends in a CRC-32C of every byte before it:
 * Flink stores operator state as it is handed over and checks nothing, so a checkpoint file cut
 * short or changed on disk is caught here ({@link RetainedCheckpoints} checks before a resume).
 */
public record RunnerState(int experiment, byte[] trainer, float[] pending, boolean diverged) {
    private static final int MAGIC = 0x57465253; // "WFRS"
    /** 2: a CRC-32C at the end. 1 had none. */
    static final int VERSION = 2;

    /** Why bytes are not a state this build restores: one line. */
    public static final class CorruptState extends IllegalArgumentException {
        CorruptState(String message) {
            super(message);
        }
    }

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(24 + trainer.length + 4 * pending.length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(experiment);
            out.writeInt(trainer.length);
            out.write(trainer);
            out.writeInt(pending.length);
            for (float v : pending) out.writeFloat(v);
            out.writeBoolean(diverged);
            out.flush();
            CRC32C crc = new CRC32C();
            crc.update(bytes.toByteArray());
            out.writeInt((int) crc.getValue());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The state in these bytes; {@link CorruptState} (one line) when they are not one this build wrote, whole and unchanged. */
    public static RunnerState decode(byte[] bytes) {
        if (bytes.length < 12) throw new CorruptState("cannot restore experiment state: " + bytes.length + " bytes, too short to be one");
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            if (in.readInt() != MAGIC) throw new CorruptState("cannot restore experiment state: not a Wasserflow experiment state");
            int version = in.readInt();
            if (version != VERSION)
                throw new CorruptState("cannot restore experiment state: version " + version + (version == 1 ? " (written before states carried a checksum)" : "")
                        + ", this build reads only version " + VERSION);
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, bytes.length - 4);
            int stored = ((bytes[bytes.length - 4] & 0xFF) << 24) | ((bytes[bytes.length - 3] & 0xFF) << 16) | ((bytes[bytes.length - 2] & 0xFF) << 8)
                    | (bytes[bytes.length - 1] & 0xFF);
            if ((int) crc.getValue() != stored)
                throw new CorruptState(String.format("cannot restore experiment state: checksum mismatch (CRC-32C %08x, stored %08x): cut short or changed",
                        (int) crc.getValue(), stored));
            int experiment = in.readInt();
            int trainerLength = in.readInt();
            if (trainerLength < 0 || trainerLength > bytes.length) throw new CorruptState("cannot restore experiment state: bad trainer length " + trainerLength);
            byte[] trainer = new byte[trainerLength];
            in.readFully(trainer);
            int pendingLength = in.readInt();
            if (pendingLength < 0 || pendingLength > bytes.length / 4) throw new CorruptState("cannot restore experiment state: bad pending length " + pendingLength);
            float[] pending = new float[pendingLength];
            for (int i = 0; i < pending.length; i++) pending[i] = in.readFloat();
            RunnerState s = new RunnerState(experiment, trainer, pending, in.readBoolean());
            if (in.available() != 4) throw new CorruptState("cannot restore experiment state: " + (in.available() - 4) + " bytes too many");
            return s;
        } catch (IOException e) {
            throw new CorruptState("cannot restore experiment state: " + e.getMessage());
        }
    }

    RunnerState markedDiverged() {
        return new RunnerState(experiment, trainer, pending, true);
    }
}

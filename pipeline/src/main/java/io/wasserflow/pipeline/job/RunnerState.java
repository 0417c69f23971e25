package io.wasserflow.pipeline.job;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One experiment's entry in the trainers' checkpointed state: its index in the config, the
 * trainer's own state, the samples that do not yet fill a batch, and whether it diverged. One
 * writer and one reader of a versioned layout.
 */
record RunnerState(int experiment, byte[] trainer, float[] pending, boolean diverged) {
    private static final int MAGIC = 0x57465253; // "WFRS"
    private static final int VERSION = 1;

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + trainer.length + 4 * pending.length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(experiment);
            out.writeInt(trainer.length);
            out.write(trainer);
            out.writeInt(pending.length);
            for (float v : pending) out.writeFloat(v);
            out.writeBoolean(diverged);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static RunnerState decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            if (in.readInt() != MAGIC) throw new IOException("not a Wasserflow experiment state");
            int version = in.readInt();
            if (version != VERSION) throw new IOException("experiment state version " + version + ", this build reads " + VERSION);
            int experiment = in.readInt();
            byte[] trainer = new byte[in.readInt()];
            in.readFully(trainer);
            float[] pending = new float[in.readInt()];
            for (int i = 0; i < pending.length; i++) pending[i] = in.readFloat();
            return new RunnerState(experiment, trainer, pending, in.readBoolean());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot restore experiment state: " + e.getMessage(), e);
        }
    }

    RunnerState markedDiverged() {
        return new RunnerState(experiment, trainer, pending, true);
    }
}

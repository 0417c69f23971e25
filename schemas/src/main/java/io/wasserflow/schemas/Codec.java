package io.wasserflow.schemas;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;

/**
 * Avro single-object encoding (marker C3 01, the schema's 8-byte fingerprint, then the body) for
 * one record type. Decoding tells apart garbage, a schema it does not know and a corrupt body, so
 * the dead-letter topic can say which.
 */
public final class Codec<T extends SpecificRecordBase> {
    /** Why a payload could not be decoded. */
    public static final class DecodeException extends Exception {
        public enum Reason { NOT_SINGLE_OBJECT_ENCODED, UNKNOWN_SCHEMA, CORRUPT_BODY }

        public final Reason reason;

        DecodeException(Reason reason, String message, Throwable cause) {
            super(message, cause);
            this.reason = reason;
        }
    }

    private final String type;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    public Codec(Class<T> type, org.apache.avro.Schema schema) {
        this.type = type.getSimpleName();
        this.encoder = new BinaryMessageEncoder<>(SpecificData.get(), schema);
        this.decoder = new BinaryMessageDecoder<>(SpecificData.get(), schema);
    }

    public static final Codec<ImageBatch> IMAGE_BATCH = new Codec<>(ImageBatch.class, ImageBatch.getClassSchema());
    public static final Codec<TrainingMetric> TRAINING_METRIC = new Codec<>(TrainingMetric.class, TrainingMetric.getClassSchema());
    public static final Codec<GradientAlert> GRADIENT_ALERT = new Codec<>(GradientAlert.class, GradientAlert.getClassSchema());
    public static final Codec<RunManifest> RUN_MANIFEST = new Codec<>(RunManifest.class, RunManifest.getClassSchema());
    public static final Codec<DeadLetter> DEAD_LETTER = new Codec<>(DeadLetter.class, DeadLetter.getClassSchema());

    public byte[] encode(T record) {
        try {
            ByteBuffer b = encoder.encode(record);
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + type + ": " + e.getMessage(), e);
        }
    }

    public T decode(byte[] payload) throws DecodeException {
        if (payload == null || payload.length < 10 || payload[0] != (byte) 0xC3 || payload[1] != (byte) 0x01)
            throw new DecodeException(DecodeException.Reason.NOT_SINGLE_OBJECT_ENCODED,
                    "not an Avro single-object encoded " + type + " (no C3 01 marker)", null);
        try {
            return decoder.decode(payload);
        } catch (MissingSchemaException e) {
            throw new DecodeException(DecodeException.Reason.UNKNOWN_SCHEMA,
                    "unknown schema fingerprint for " + type + ": " + e.getMessage(), e);
        } catch (BadHeaderException e) {
            throw new DecodeException(DecodeException.Reason.NOT_SINGLE_OBJECT_ENCODED, "bad header: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new DecodeException(DecodeException.Reason.CORRUPT_BODY, "corrupt " + type + " body: " + e, e);
        }
    }
}

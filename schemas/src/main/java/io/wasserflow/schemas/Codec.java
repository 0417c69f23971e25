package io.wasserflow.schemas;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Avro single-object encoding (marker C3 01, the schema's 8-byte CRC-64-AVRO fingerprint
 * little-endian, then the body) for one record type: the bytes the generated classes'
 * {@code toByteBuffer()} writes and {@code fromByteBuffer()} reads. Decoding tells apart garbage,
 * a schema this reader does not know and a corrupt body, so the dead-letter topic can say which.
 * Instances are thread-safe.
 */
public final class Codec<T extends SpecificRecordBase> {
    /** Why a payload could not be decoded; {@link #reason} is what the dead-letter record carries. */
    public static final class DecodeException extends Exception {
        public enum Reason { NOT_SINGLE_OBJECT_ENCODED, UNKNOWN_SCHEMA, CORRUPT_BODY }

        public final Reason reason;

        DecodeException(Reason reason, String message, Throwable cause) {
            super(message, cause);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    static final int HEADER = 10; // C3 01 + 8-byte fingerprint

    /**
     * Avro 1.12.0 reads array&lt;double&gt; into PrimitivesArrays.DoubleArray, whose add(Double) narrows
     * each value to float (AVRO-4108, fixed in 1.12.1): histogram edges and anything else in a
     * double array would come back changed. This model builds plain arrays for double items.
     */
    static final SpecificData MODEL = new SpecificData(Codec.class.getClassLoader()) {
        @Override
        public Object newArray(Object old, int size, Schema schema) {
            if (schema.getElementType().getType() == Schema.Type.DOUBLE) return new GenericData.Array<Double>(size, schema);
            return super.newArray(old, size, schema);
        }
    };

    public static final Codec<ImageBatch> IMAGE_BATCH = new Codec<>(ImageBatch.getClassSchema());
    public static final Codec<TrainingMetric> TRAINING_METRIC = new Codec<>(TrainingMetric.getClassSchema());
    public static final Codec<GradientAlert> GRADIENT_ALERT = new Codec<>(GradientAlert.getClassSchema());
    /**
     * Also reads manifests written before maxGeneratorSteps and replayOf (v1: their limit reads as null, not recorded), and
     * before the broker, metrics offsets and resumes (v2: null, empty).
     */
    public static final Codec<RunManifest> RUN_MANIFEST = new Codec<RunManifest>(RunManifest.getClassSchema()).addWriterSchema(resource("RunManifest-v1.avsc"))
            .addWriterSchema(resource("RunManifest-v2.avsc"));
    public static final Codec<DeadLetter> DEAD_LETTER = new Codec<>(DeadLetter.getClassSchema());

    private final Schema schema;
    private final String type;
    private final BinaryMessageEncoder<T> encoder;
    /** Writer schemas this reader can resolve, by fingerprint: its own, plus any added (older versions). */
    private final Map<Long, SpecificDatumReader<T>> readers = new ConcurrentHashMap<>();

    public Codec(Schema schema) {
        this.schema = schema;
        this.type = schema.getName();
        this.encoder = new BinaryMessageEncoder<>(SpecificData.get(), schema);
        addWriterSchema(schema);
    }

    /** Accepts records written with another (e.g. older) version of the schema, resolved to this one. */
    public Codec<T> addWriterSchema(Schema writer) {
        readers.put(SchemaNormalization.parsingFingerprint64(writer), new SpecificDatumReader<>(writer, schema, MODEL));
        return this;
    }

    /** An older version of a schema, kept as a resource next to this class so records written with it stay readable. */
    static Schema resource(String name) {
        try (java.io.InputStream in = Codec.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("schema resource " + name + " is missing from the build");
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read schema resource " + name, e);
        }
    }

    public Schema schema() {
        return schema;
    }

    public byte[] encode(T record) {
        try {
            ByteBuffer b = encoder.encode(record);
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (IOException | RuntimeException e) {
            // RuntimeException: a required field left null, a value of the wrong type
            throw new IllegalArgumentException("cannot encode " + type + ": " + e.getMessage(), e);
        }
    }

    public T decode(byte[] payload) throws DecodeException {
        if (payload == null || payload.length < HEADER || payload[0] != (byte) 0xC3 || payload[1] != (byte) 0x01)
            throw new DecodeException(DecodeException.Reason.NOT_SINGLE_OBJECT_ENCODED,
                    "not single-object encoded (bad magic: " + describeStart(payload) + ", expected C3 01 and an 8-byte schema fingerprint)", null);
        long fingerprint = ByteBuffer.wrap(payload, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        SpecificDatumReader<T> reader = readers.get(fingerprint);
        if (reader == null)
            throw new DecodeException(DecodeException.Reason.UNKNOWN_SCHEMA,
                    String.format("unknown schema fingerprint %016x: not a %s schema this reader knows", fingerprint, type), null);
        try {
            BoundedDecoder in = new BoundedDecoder(DecoderFactory.get().binaryDecoder(payload, HEADER, payload.length - HEADER, null), payload.length - HEADER);
            T record = reader.read(null, in);
            // A body that decodes but leaves bytes over was cut or spliced: not the record that was sent.
            if (!in.isEnd())
                throw new DecodeException(DecodeException.Reason.CORRUPT_BODY, "corrupt " + type + " body: bytes left over after the record", null);
            return record;
        } catch (IOException | RuntimeException e) {
            // EOFException for a cut body; AvroRuntimeException, IndexOutOfBounds... for garbled lengths and enum indices
            throw new DecodeException(DecodeException.Reason.CORRUPT_BODY, "corrupt " + type + " body: " + e, e);
        }
    }

    private static String describeStart(byte[] payload) {
        if (payload == null) return "no payload";
        if (payload.length < HEADER) return payload.length + " bytes, shorter than the 10-byte header";
        return String.format("starts %02X %02X", payload[0], payload[1]);
    }
}

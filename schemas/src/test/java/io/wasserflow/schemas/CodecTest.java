package io.wasserflow.schemas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class CodecTest {
    static ImageBatch batch(byte[] labels) {
        return ImageBatch.newBuilder().setDataset("shapes").setSequence(7).setCount(2).setChannels(1).setHeight(2).setWidth(2)
                .setDtype(DType.UINT8).setValues(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))
                .setLabels(labels == null ? null : ByteBuffer.wrap(labels)).setProducerTimeMs(42).build();
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Test
    void imageBatchRoundTripsWithAndWithoutLabels() throws Exception {
        byte[] encoded = Codec.IMAGE_BATCH.encode(batch(null));
        assertEquals((byte) 0xC3, encoded[0]);
        assertEquals((byte) 0x01, encoded[1]);
        assertEquals(batch(null), Codec.IMAGE_BATCH.decode(encoded));

        ImageBatch back = Codec.IMAGE_BATCH.decode(Codec.IMAGE_BATCH.encode(batch(new byte[] {3, 9})));
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, bytes(back.getValues()));
        assertArrayEquals(new byte[] {3, 9}, bytes(back.getLabels()));
        assertEquals(DType.UINT8, back.getDtype());
    }

    @Test
    void theCodecSpeaksTheGeneratedClassesEncoding() throws Exception {
        assertArrayEquals(bytes(batch(null).toByteBuffer()), Codec.IMAGE_BATCH.encode(batch(null)));
        assertEquals(batch(null), ImageBatch.fromByteBuffer(ByteBuffer.wrap(Codec.IMAGE_BATCH.encode(batch(null)))));
    }

    @Test
    void everyTopicTypeRoundTrips() throws Exception {
        TrainingMetric scalar = TrainingMetric.newBuilder().setRun("r").setExperiment("gp").setName("wasserflow_critic_loss")
                .setLabels(Map.of("network", "critic", "layer", "dense0")).setValue(1.5).setGeneratorStep(3).setCriticStep(15).setTimeMs(1).build();
        assertEquals(List.of(), scalar.getBucketUpperBounds(), "histogram fields default to empty");
        assertEquals(scalar, Codec.TRAINING_METRIC.decode(Codec.TRAINING_METRIC.encode(scalar)));
        TrainingMetric histogram = TrainingMetric.newBuilder(scalar).setName("wasserflow_weight")
                .setBucketUpperBounds(List.of(-0.01, 0.0, 0.01)).setBucketCounts(List.of(5L, 7L, 9L, 1L)).build();
        assertEquals(histogram, Codec.TRAINING_METRIC.decode(Codec.TRAINING_METRIC.encode(histogram)));

        GradientAlert alert = GradientAlert.newBuilder().setRun("r").setExperiment("clip").setKind(AlertKind.EXPLODING).setNetwork("critic")
                .setLayer("dense0").setValue(1e4).setThreshold(1e3).setStep(5).setTimeMs(2).build();
        assertEquals(alert, Codec.GRADIENT_ALERT.decode(Codec.GRADIENT_ALERT.encode(alert)));

        RunManifest running = RunManifest.newBuilder().setRunId("run-1").setConfigYaml("experiments: []\n").setSeed(7).setCodeCommit("abc123")
                .setCodeModified(true).setBackend("cpu").setBlasLibrary("openblas").setBlasCoreType("Haswell").setBlasThreads(4)
                .setTopic("wasserflow.images.shapes").setStartOffsets(Map.of("0", 0L)).setStartTimeMs(10).build();
        assertNull(running.getFinalParameterDigest());
        assertNull(running.getEndTimeMs());
        assertEquals(running, Codec.RUN_MANIFEST.decode(Codec.RUN_MANIFEST.encode(running)));
        RunManifest finished = RunManifest.newBuilder(running).setEndOffsets(Map.of("0", 938L)).setFinalParameterDigest("sha256:00ff")
                .setEndTimeMs(20L).setExperiments(List.of("clip", "gp")).build();
        assertEquals(finished, Codec.RUN_MANIFEST.decode(Codec.RUN_MANIFEST.encode(finished)));

        DeadLetter dead = DeadLetter.newBuilder().setTopic("t").setPartition(0).setOffset(9).setReason("why")
                .setPayload(ByteBuffer.wrap(new byte[] {9})).setTimeMs(3).build();
        assertEquals(dead, Codec.DEAD_LETTER.decode(Codec.DEAD_LETTER.encode(dead)));
    }

    @Test
    void doubleArraysKeepEveryBit() throws Exception {
        // Avro 1.12.0's own reader narrows array<double> items to float (AVRO-4108); the codec must not.
        List<Double> edges = List.of(0.01, Math.PI, -1e-300, Double.MAX_VALUE, Double.NaN, Double.POSITIVE_INFINITY);
        TrainingMetric m = TrainingMetric.newBuilder().setRun("r").setExperiment("clip").setName("wasserflow_weight").setLabels(Map.of())
                .setValue(0).setGeneratorStep(0).setCriticStep(0).setTimeMs(0).setBucketUpperBounds(edges).setBucketCounts(List.of()).build();
        assertEquals(edges, Codec.TRAINING_METRIC.decode(Codec.TRAINING_METRIC.encode(m)).getBucketUpperBounds());
    }

    @Test
    void garbageIsNotSingleObjectEncoded() {
        for (byte[] garbage : new byte[][] {"hello world, not avro".getBytes(), new byte[0], {(byte) 0xC3, 0x01, 5}, null}) {
            Codec.DecodeException e = assertThrows(Codec.DecodeException.class, () -> Codec.IMAGE_BATCH.decode(garbage));
            assertEquals(Codec.DecodeException.Reason.NOT_SINGLE_OBJECT_ENCODED, e.reason());
            assertTrue(e.getMessage().startsWith("not single-object encoded (bad magic"), e.getMessage());
        }
    }

    @Test
    void anotherSchemasRecordIsAnUnknownFingerprint() {
        byte[] foreign = Codec.DEAD_LETTER.encode(DeadLetter.newBuilder().setTopic("t").setPartition(0).setOffset(0).setReason("r")
                .setPayload(ByteBuffer.wrap(new byte[0])).setTimeMs(0).build());
        Codec.DecodeException e = assertThrows(Codec.DecodeException.class, () -> Codec.IMAGE_BATCH.decode(foreign));
        assertEquals(Codec.DecodeException.Reason.UNKNOWN_SCHEMA, e.reason());
        assertTrue(e.getMessage().startsWith("unknown schema fingerprint"), e.getMessage());
        assertTrue(e.getMessage().contains("ImageBatch"), e.getMessage());
    }

    @Test
    void aCutOrExtendedBodyIsCorrupt() {
        byte[] good = Codec.IMAGE_BATCH.encode(batch(null));
        for (byte[] bad : new byte[][] {Arrays.copyOf(good, 14), Arrays.copyOf(good, good.length - 1), Arrays.copyOf(good, good.length + 3)}) {
            Codec.DecodeException e = assertThrows(Codec.DecodeException.class, () -> Codec.IMAGE_BATCH.decode(bad));
            assertEquals(Codec.DecodeException.Reason.CORRUPT_BODY, e.reason());
            assertTrue(e.getMessage().startsWith("corrupt ImageBatch body"), e.getMessage());
        }
    }

    @Test
    void aGarbledBodyDecodesOrIsCorruptNeverAnythingElse() {
        byte[] good = Codec.IMAGE_BATCH.encode(batch(new byte[] {1, 2}));
        Random rnd = new Random(1);
        for (int i = 0; i < 5000; i++) {
            byte[] c = good.clone();
            c[Codec.HEADER + rnd.nextInt(c.length - Codec.HEADER)] = (byte) rnd.nextInt(256);
            try {
                Codec.IMAGE_BATCH.decode(c);
            } catch (Codec.DecodeException e) {
                assertEquals(Codec.DecodeException.Reason.CORRUPT_BODY, e.reason());
            }
        }
    }

    /** The first {@code keep} bytes of a record, then {@code length} as an Avro long (zig-zag varint), then a few zero bytes. */
    static byte[] claimingLength(byte[] record, int keep, long length) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(record, 0, keep);
        long z = (length << 1) ^ (length >> 63);
        for (; (z & ~0x7FL) != 0; z >>>= 7) out.write((int) ((z & 0x7F) | 0x80));
        out.write((int) z);
        out.writeBytes(new byte[8]);
        return out.toByteArray();
    }

    @Test
    void aLengthLongerThanTheBodyIsCorruptNotAnAllocation() {
        // Measured before the bounded decoder: the 1 GiB and 2 GiB claims were OutOfMemoryErrors in a 512 MB heap.
        byte[] image = Codec.IMAGE_BATCH.encode(batch(null));
        for (long claimed : new long[] {1L << 30, (1L << 31) - 10, 1L << 40, 19, -5}) {
            Codec.DecodeException e = assertThrows(Codec.DecodeException.class, () -> Codec.IMAGE_BATCH.decode(claimingLength(image, Codec.HEADER, claimed)));
            assertEquals(Codec.DecodeException.Reason.CORRUPT_BODY, e.reason(), e.getMessage());
            assertTrue(e.getMessage().startsWith("corrupt ImageBatch body"), e.getMessage());
        }
        // the values field: dataset "shapes", then sequence 7, count, channels, height, width and dtype, one byte each
        int valuesAt = Codec.HEADER + 1 + "shapes".length() + 6;
        Codec.DecodeException values = assertThrows(Codec.DecodeException.class, () -> Codec.IMAGE_BATCH.decode(claimingLength(image, valuesAt, 1L << 30)));
        assertEquals(Codec.DecodeException.Reason.CORRUPT_BODY, values.reason());
        assertTrue(values.getMessage().contains("bytes of 1073741824 in a body of"), values.getMessage());
        // a map of a billion labels after three one-letter strings
        byte[] metric = Codec.TRAINING_METRIC.encode(TrainingMetric.newBuilder().setRun("r").setExperiment("e").setName("n").setValue(1)
                .setGeneratorStep(0).setCriticStep(0).setTimeMs(0).build());
        Codec.DecodeException map = assertThrows(Codec.DecodeException.class, () -> Codec.TRAINING_METRIC.decode(claimingLength(metric, Codec.HEADER + 6, 1L << 30)));
        assertTrue(map.getMessage().contains("a map block of 1073741824 in a body of"), map.getMessage());
    }

    @Test
    void aManifestWrittenBeforeTheStepLimitAndReplayFieldsStillReads() throws Exception {
        // The manifest as it was before maxGeneratorSteps and replayOf: manifest.avro files and wasserflow.runs records of older runs.
        Schema v1 = Codec.resource("RunManifest-v1.avsc");
        GenericRecord old = new GenericData.Record(v1);
        for (String f : List.of("runId", "configYaml", "codeCommit", "backend", "blasLibrary", "blasCoreType", "topic")) old.put(f, f);
        old.put("seed", 7L);
        old.put("codeModified", false);
        old.put("blasThreads", 2);
        old.put("startOffsets", Map.of("0", 5L));
        old.put("endOffsets", Map.of("0", 30L));
        old.put("finalParameterDigest", "d");
        old.put("experiments", List.of("gp"));
        old.put("startTimeMs", 1L);
        old.put("endTimeMs", 2L);
        RunManifest m = Codec.RUN_MANIFEST.decode(bytes(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old)));
        assertEquals(Map.of("0", 30L), m.getEndOffsets());
        assertEquals("d", m.getFinalParameterDigest());
        assertNull(m.getMaxGeneratorSteps(), "an older manifest does not say where its run stopped");
        assertNull(m.getReplayOf());
    }

    @Test
    void aManifestWrittenBeforeTheBrokerAndResumeFieldsStillReads() throws Exception {
        // The manifest as it was before bootstrap, embeddedBrokerLog, metricsStartOffsets and resumes (issue 21).
        Schema v2 = Codec.resource("RunManifest-v2.avsc");
        GenericRecord old = new GenericData.Record(v2);
        for (String f : List.of("runId", "configYaml", "codeCommit", "backend", "blasLibrary", "blasCoreType", "topic", "processor", "instructionSets",
                "onednnIsa", "nativeLibrary")) old.put(f, f);
        old.put("seed", 7L);
        old.put("codeModified", false);
        old.put("blasThreads", 2);
        old.put("startOffsets", Map.of("0", 5L));
        old.put("endOffsets", Map.of("0", 30L));
        old.put("finalParameterDigest", "d");
        old.put("experiments", List.of("gp"));
        old.put("startTimeMs", 1L);
        old.put("endTimeMs", 2L);
        old.put("maxGeneratorSteps", 9L);
        old.put("replayOf", null);
        RunManifest m = Codec.RUN_MANIFEST.decode(bytes(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v2).encode(old)));
        assertEquals(9L, m.getMaxGeneratorSteps());
        assertEquals("processor", m.getProcessor());
        assertNull(m.getBootstrap(), "an older manifest does not name its broker");
        assertNull(m.getEmbeddedBrokerLog());
        assertEquals(Map.of(), m.getMetricsStartOffsets());
        assertEquals(List.of(), m.getResumes());

        RunManifest resumed = RunManifest.newBuilder(m).setBootstrap("127.0.0.1:9092").setEmbeddedBrokerLog("/w/kafka").setMetricsStartOffsets(Map.of("0", 3L))
                .setResumes(List.of(Resume.newBuilder().setTimeMs(5).setCheckpoint("/w/runs/r/checkpoints/j/chk-3").setPassedOver(List.of("chk-4: corrupt")).build()))
                .build();
        assertEquals(resumed, Codec.RUN_MANIFEST.decode(Codec.RUN_MANIFEST.encode(resumed)));
    }

    @Test
    void anOlderWriterSchemaIsReadOnceAdded() throws Exception {
        // TrainingMetric as it would have been before the histogram payload: the new fields take their defaults.
        Schema v0 = new Schema.Parser().parse("""
                {"type": "record", "name": "TrainingMetric", "namespace": "io.wasserflow.schemas", "fields": [
                  {"name": "run", "type": "string"}, {"name": "experiment", "type": "string"}, {"name": "name", "type": "string"},
                  {"name": "labels", "type": {"type": "map", "values": "string"}}, {"name": "value", "type": "double"},
                  {"name": "generatorStep", "type": "long"}, {"name": "criticStep", "type": "long"}, {"name": "timeMs", "type": "long"}]}""");
        GenericRecord old = new GenericData.Record(v0);
        for (String f : List.of("run", "experiment", "name")) old.put(f, f);
        old.put("labels", Map.of());
        old.put("value", 2.5);
        old.put("generatorStep", 1L);
        old.put("criticStep", 5L);
        old.put("timeMs", 9L);
        byte[] bytes = bytes(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v0).encode(old));

        Codec<TrainingMetric> codec = new Codec<>(TrainingMetric.getClassSchema());
        assertEquals(Codec.DecodeException.Reason.UNKNOWN_SCHEMA, assertThrows(Codec.DecodeException.class, () -> codec.decode(bytes)).reason());
        TrainingMetric m = codec.addWriterSchema(v0).decode(bytes);
        assertEquals(2.5, m.getValue());
        assertEquals(List.of(), m.getBucketCounts());
    }

    @Test
    void aRecordMissingARequiredFieldIsRefusedByName() {
        ImageBatch incomplete = batch(null);
        incomplete.setDataset(null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Codec.IMAGE_BATCH.encode(incomplete));
        assertTrue(e.getMessage().startsWith("cannot encode ImageBatch"), e.getMessage());
    }
}

package io.wasserflow.schemas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CodecTest {
    static ImageBatch batch() {
        return ImageBatch.newBuilder().setDataset("shapes").setSequence(7).setCount(2).setChannels(1).setHeight(2).setWidth(2)
                .setDtype(DType.UINT8).setValues(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8})).setLabels(null).setProducerTimeMs(42).build();
    }

    @Test
    void imageBatchRoundTrips() throws Exception {
        byte[] bytes = Codec.IMAGE_BATCH.encode(batch());
        assertEquals((byte) 0xC3, bytes[0]);
        ImageBatch back = Codec.IMAGE_BATCH.decode(bytes);
        assertEquals(batch(), back);
    }

    @Test
    void everyTopicTypeRoundTrips() throws Exception {
        TrainingMetric m = TrainingMetric.newBuilder().setRun("r").setExperiment("gp").setName("wasserflow_critic_loss")
                .setLabels(Map.of("layer", "dense0")).setValue(1.5).setGeneratorStep(3).setCriticStep(15).setTimeMs(1).build();
        assertEquals(m, Codec.TRAINING_METRIC.decode(Codec.TRAINING_METRIC.encode(m)));
        GradientAlert a = GradientAlert.newBuilder().setRun("r").setExperiment("clip").setKind(AlertKind.EXPLODING).setNetwork("critic")
                .setLayer("dense0").setValue(1e4).setThreshold(1e3).setStep(5).setTimeMs(2).build();
        assertEquals(a, Codec.GRADIENT_ALERT.decode(Codec.GRADIENT_ALERT.encode(a)));
        DeadLetter d = DeadLetter.newBuilder().setTopic("t").setPartition(0).setOffset(9).setReason("why")
                .setPayload(ByteBuffer.wrap(new byte[] {9})).setTimeMs(3).build();
        assertEquals(d, Codec.DEAD_LETTER.decode(Codec.DEAD_LETTER.encode(d)));
    }

    @Test
    void garbageIsToldApartFromUnknownSchemasAndCorruptBodies() {
        Codec.DecodeException garbage = assertThrows(Codec.DecodeException.class, () -> Codec.IMAGE_BATCH.decode("hello world".getBytes()));
        assertEquals(Codec.DecodeException.Reason.NOT_SINGLE_OBJECT_ENCODED, garbage.reason);

        byte[] foreign = Codec.DEAD_LETTER.encode(DeadLetter.newBuilder().setTopic("t").setPartition(0).setOffset(0).setReason("r")
                .setPayload(ByteBuffer.wrap(new byte[0])).setTimeMs(0).build());
        Codec.DecodeException unknown = assertThrows(Codec.DecodeException.class, () -> Codec.IMAGE_BATCH.decode(foreign));
        assertEquals(Codec.DecodeException.Reason.UNKNOWN_SCHEMA, unknown.reason);

        byte[] truncated = Arrays.copyOf(Codec.IMAGE_BATCH.encode(batch()), 14);
        Codec.DecodeException corrupt = assertThrows(Codec.DecodeException.class, () -> Codec.IMAGE_BATCH.decode(truncated));
        assertEquals(Codec.DecodeException.Reason.CORRUPT_BODY, corrupt.reason);
    }

    @Test
    void valuesKeepTheirBytes() throws Exception {
        ImageBatch back = Codec.IMAGE_BATCH.decode(Codec.IMAGE_BATCH.encode(batch()));
        byte[] v = new byte[back.getValues().remaining()];
        back.getValues().get(v);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, v);
    }
}

package io.wasserflow.pipeline.job;

import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.DType;
import io.wasserflow.schemas.DeadLetter;
import io.wasserflow.schemas.ImageBatch;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import io.wasserflow.pipeline.metrics.MetricsEndpoint;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes and checks ImageBatch records. Whatever cannot be trained on goes to the dead-letter side
 * output with its reason (garbage, an unknown schema, a corrupt body, the wrong shape, NaN or
 * infinite values, an empty batch) and the stream goes on.
 */
public class DecodeImageBatches extends ProcessFunction<RawRecord, ImageRecord> {
    public static final OutputTag<Emitted> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    private final int channels, height, width;
    private final String deadLetterTopic, runId;
    private transient MetricsEndpoint endpoint;

    /** @param shape the [channels, height, width] the experiments train on */
    public DecodeImageBatches(long[] shape, String deadLetterTopic, String runId) {
        this.channels = (int) shape[0];
        this.height = (int) shape[1];
        this.width = (int) shape[2];
        this.deadLetterTopic = deadLetterTopic;
        this.runId = runId;
    }

    @Override
    public void open(OpenContext context) {
        endpoint = MetricsEndpoint.acquire(); // wasserflow_dead_letters_total, by reason
    }

    @Override
    public void close() {
        if (endpoint != null) endpoint.release();
        endpoint = null;
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<ImageRecord> out) {
        ImageBatch b;
        try {
            b = Codec.IMAGE_BATCH.decode(raw.value);
        } catch (Codec.DecodeException e) {
            reject(ctx, raw, e.reason.name().toLowerCase() + ": " + e.getMessage());
            return;
        }
        String problem = check(b);
        if (problem != null) {
            reject(ctx, raw, problem);
            return;
        }
        ImageRecord r = new ImageRecord();
        r.sequence = b.getSequence();
        r.offset = raw.offset;
        r.count = b.getCount();
        r.channels = b.getChannels();
        r.height = b.getHeight();
        r.width = b.getWidth();
        r.values = values(b);
        for (float v : r.values) {
            if (!Float.isFinite(v)) {
                reject(ctx, raw, "non_finite: the batch holds NaN or infinite values");
                return;
            }
        }
        out.collect(r);
    }

    private String check(ImageBatch b) {
        if (b.getCount() <= 0) return "empty: the batch holds " + b.getCount() + " images";
        if (b.getChannels() != channels || b.getHeight() != height || b.getWidth() != width)
            return "wrong_shape: images of " + b.getChannels() + "x" + b.getHeight() + "x" + b.getWidth()
                    + " where the experiments train on " + channels + "x" + height + "x" + width;
        long expected = (long) b.getCount() * channels * height * width * (b.getDtype() == DType.UINT8 ? 1 : 4);
        if (b.getValues().remaining() != expected)
            return "wrong_size: " + b.getValues().remaining() + " bytes of values where the shape needs " + expected;
        return null;
    }

    private static float[] values(ImageBatch b) {
        ByteBuffer buf = b.getValues().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int n = b.getDtype() == DType.UINT8 ? buf.remaining() : buf.remaining() / 4;
        float[] v = new float[n];
        if (b.getDtype() == DType.UINT8) {
            for (int i = 0; i < n; i++) v[i] = (buf.get() & 0xFF) / 255f;
        } else {
            for (int i = 0; i < n; i++) v[i] = buf.getFloat();
        }
        return v;
    }

    private void reject(Context ctx, RawRecord raw, String reason) {
        DeadLetter d = DeadLetter.newBuilder().setTopic(raw.topic).setPartition(raw.partition).setOffset(raw.offset).setReason(reason)
                .setPayload(ByteBuffer.wrap(raw.value == null ? new byte[0] : raw.value)).setTimeMs(System.currentTimeMillis()).build();
        ctx.output(DEAD_LETTERS, new Emitted(deadLetterTopic, null, Codec.DEAD_LETTER.encode(d)));
        int colon = reason.indexOf(':');
        endpoint.publisher().deadLetter(runId, colon < 0 ? reason : reason.substring(0, colon));
    }
}

package io.wasserflow.pipeline.sink;

import java.io.IOException;
import java.io.Serializable;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A sink that hands each element to a writer made in its task: the Prometheus endpoint, the run
 * folder's pictures, the console's progress lines. Nothing to commit, nothing buffered.
 */
public final class ForEachSink<T> implements Sink<T> {
    /** Made once per sink subtask, in its task; closed when the task ends. */
    public interface Writer<T> extends AutoCloseable {
        void write(T value) throws IOException;

        @Override
        default void close() {}
    }

    public interface Factory<T> extends Serializable {
        Writer<T> open();
    }

    private final Factory<T> factory;

    public ForEachSink(Factory<T> factory) {
        this.factory = factory;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        Writer<T> writer = factory.open();
        return new SinkWriter<>() {
            @Override
            public void write(T value, Context context) throws IOException {
                writer.write(value);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {
                writer.close();
            }
        };
    }
}

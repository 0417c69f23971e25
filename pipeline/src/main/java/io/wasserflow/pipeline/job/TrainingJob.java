package io.wasserflow.pipeline.job;

import io.wasserflow.pipeline.config.RunConfig;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The training job, top to bottom as the data flows: image batches from Kafka, decoded (the bad
 * ones to the dead-letter topic), fanned out to every experiment of the config, routed by
 * experiment to the trainer operator, and its metric records out to Kafka. It is handed its
 * source and sink, so tests run this very job against a bounded source or a real broker.
 */
public final class TrainingJob {
    private final Source<RawRecord, ?, ?> source;
    private final Sink<Emitted> sink;
    private final RunConfig config;
    private final String runId;
    private final Topics topics;
    private final Path saveDir;
    private boolean progress;
    private long maxGeneratorSteps;

    public TrainingJob(Source<RawRecord, ?, ?> source, Sink<Emitted> sink, RunConfig config, String runId, Topics topics, Path saveDir) {
        this.source = source;
        this.sink = sink;
        this.config = config;
        this.runId = runId;
        this.topics = topics;
        this.saveDir = saveDir;
    }

    /** Print a progress line per experiment every few seconds. */
    public TrainingJob withProgress() {
        this.progress = true;
        return this;
    }

    /** Each experiment stops after this many generator steps. */
    public TrainingJob withGeneratorSteps(long steps) {
        this.maxGeneratorSteps = steps;
        return this;
    }

    public void build(StreamExecutionEnvironment env) {
        int experiments = config.experiments().size();
        int parallelism = Math.max(1, Math.min(experiments, env.getParallelism()));
        int blasThreads = Math.max(1, Runtime.getRuntime().availableProcessors() / parallelism);

        SingleOutputStreamOperator<ImageRecord> decoded = env
                .fromSource(source, WatermarkStrategy.noWatermarks(), "image batches").uid("image-source").setParallelism(1)
                .process(new DecodeImageBatches(config.dataShape(), topics.deadLetters(), runId)).uid("decode").name("decode").setParallelism(1);

        DataStream<ExperimentBatch> batches = decoded
                .flatMap((ImageRecord b, Collector<ExperimentBatch> out) -> {
                    for (int i = 0; i < experiments; i++) out.collect(new ExperimentBatch(i, b));
                }).returns(ExperimentBatch.class).uid("fan-out").name("fan out to experiments").setParallelism(1);
        // One trainer subtask takes every experiment straight from the fan-out, in the same task (a chain: no thread
        // hand-off, no serialization); several take theirs by experiment. Savepoints map state by uid, not by topology,
        // so a run restores at either parallelism.
        if (parallelism > 1) batches = batches.partitionCustom((Integer experiment, int partitions) -> experiment % partitions, e -> e.experiment);
        DataStream<Emitted> metrics = batches
                .transform("train", TypeInformation.of(Emitted.class),
                        new TrainerOperator(config.yaml(), runId, topics, saveDir == null ? null : saveDir.toString(), blasThreads, progress, maxGeneratorSteps))
                .uid("trainers") // savepoints map the trainers' state by this id
                .setParallelism(parallelism);

        // each sink chained to its producer: the trainers' records leave from the trainers' task, the dead letters from the decoder's
        metrics.sinkTo(sink).uid("kafka-sink").name("to kafka").setParallelism(parallelism);
        decoded.getSideOutput(DecodeImageBatches.DEAD_LETTERS).sinkTo(sink).uid("dead-letter-sink").name("dead letters to kafka").setParallelism(1);
    }

    public JobExecutionResult execute(StreamExecutionEnvironment env) throws Exception {
        build(env);
        return env.execute("wasserflow " + runId);
    }

    /** Submits the job and returns at once: a run that ends when interrupted stops it through the client. */
    public JobClient executeAsync(StreamExecutionEnvironment env) throws Exception {
        build(env);
        return env.executeAsync("wasserflow " + runId);
    }

    /** The image topic from the start offsets, bounded at the stop offsets unless they are null; it ends after a restore too. */
    public static RestorableKafkaSource<RawRecord> kafkaSource(String bootstrap, String topic, OffsetsInitializer start, OffsetsInitializer stop) {
        var b = KafkaSource.<RawRecord>builder().setBootstrapServers(bootstrap).setTopics(topic)
                .setStartingOffsets(start).setDeserializer(new RawDeserializer());
        if (stop != null) b.setBounded(stop); // a bounded source never looks for new partitions
        else b.setProperty("partition.discovery.interval.ms", "-1");
        return new RestorableKafkaSource<>(b.build());
    }

    public static KafkaSink<Emitted> kafkaSink(String bootstrap) {
        return KafkaSink.<Emitted>builder().setBootstrapServers(bootstrap)
                .setRecordSerializer((KafkaRecordSerializationSchema<Emitted>) (e, ctx, ts) ->
                        new ProducerRecord<>(e.topic, e.key == null ? null : e.key.getBytes(java.nio.charset.StandardCharsets.UTF_8), e.value))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                // a step's records (about 20) and the next steps' go out in one request a second rather than one a step:
                // fewer requests for the broker that shares the trainer's cores; Grafana reads Prometheus, not this topic,
                // and the records of a run that ends or stops are flushed at once. A second of records fits one batch.
                .setProperty("linger.ms", String.valueOf(LINGER_MS))
                .setProperty("batch.size", String.valueOf(512 * 1024)).build();
    }

    static final int LINGER_MS = 1000;

    static final class RawDeserializer implements KafkaRecordDeserializationSchema<RawRecord> {
        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<RawRecord> out) throws IOException {
            out.collect(new RawRecord(r.topic(), r.partition(), r.offset(), r.value()));
        }

        @Override
        public TypeInformation<RawRecord> getProducedType() {
            return TypeInformation.of(RawRecord.class);
        }
    }
}

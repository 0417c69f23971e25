package io.wasserflow.pipeline.job;

import io.wasserflow.pipeline.job.Diagnostics.AlertCheck;
import io.wasserflow.pipeline.job.Diagnostics.SamplePicture;
import io.wasserflow.pipeline.sink.KafkaRecords;
import io.wasserflow.pipeline.sink.ProgressSink;
import io.wasserflow.pipeline.sink.PrometheusSinks;
import io.wasserflow.pipeline.sink.RunFolderSinks;
import io.wasserflow.schemas.TrainingMetric;
import java.io.IOException;
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
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The training job, top to bottom as the data flows: image batches from Kafka, decoded (the bad
 * ones to the dead-letter topic), broadcast to the trainer subtasks, each training the experiments
 * assigned to it ({@link TrainerAssignment}), and their diagnostics out to Kafka, Prometheus, the run folder and the console.
 * It is handed its source and sink, so tests run this very job against a bounded source or a real
 * broker.
 */
public final class TrainingJob {
    private final Source<RawRecord, ?, ?> source;
    private final java.util.function.Function<String, Sink<Emitted>> sinks;
    private final JobSpec spec;

    public TrainingJob(Source<RawRecord, ?, ?> source, Sink<Emitted> sink, JobSpec spec) {
        this(spec, source, uid -> sink);
    }

    /** One Kafka sink per use, by its uid: an exactly-once sink needs its own transactional id prefix for each. */
    public static TrainingJob sinkPerUse(Source<RawRecord, ?, ?> source, java.util.function.Function<String, Sink<Emitted>> sinks, JobSpec spec) {
        return new TrainingJob(spec, source, sinks);
    }

    private TrainingJob(JobSpec spec, Source<RawRecord, ?, ?> source, java.util.function.Function<String, Sink<Emitted>> sinks) {
        this.source = source;
        this.sinks = sinks;
        this.spec = spec;
    }

    public void build(StreamExecutionEnvironment env) {
        int parallelism = spec.trainerParallelism(env.getParallelism());
        // the side outputs reach their chained sinks as references, not copies: no sink changes what it is handed
        env.getConfig().enableObjectReuse();

        SingleOutputStreamOperator<ImageRecord> decoded = env
                .fromSource(source, WatermarkStrategy.noWatermarks(), "image batches").uid("image-source").setParallelism(1)
                .process(new DecodeImageBatches(spec.dataShape(), spec.topics().deadLetters(), spec.runId())).uid("decode").name("decode").setParallelism(1);

        // Each batch crosses once to each trainer subtask, which trains the experiments assigned to it. One subtask
        // takes the batches straight from the decoder, in the same task (a chain: no thread hand-off, no serialization).
        // Savepoints map state by uid, not by topology, so a run restores at any parallelism.
        DataStream<ImageRecord> batches = parallelism > 1 ? decoded.broadcast() : decoded;
        SingleOutputStreamOperator<TrainingMetric> trained = batches
                .transform("train", Diagnostics.METRIC_TYPE, new TrainerOperator(spec, TrainerAssignment.costs(spec.experiments(), spec.dataShape())))
                .uid("trainers") // savepoints map the trainers' state by this id
                .setParallelism(parallelism);

        // every sink chained to the trainers (one input each): the diagnostics leave from the trainers' task
        DataStream<TrainingMetric> metrics = trained.getSideOutput(Diagnostics.METRICS);
        metrics.sinkTo(PrometheusSinks.metrics()).uid("prometheus-metrics").name("metrics to prometheus").setParallelism(parallelism);
        toKafka(metrics.map(KafkaRecords.metrics(spec.topics())).uid("encode-metrics").name("encode metrics").setParallelism(parallelism),
                "kafka-sink", "metrics to kafka", parallelism);
        if (spec.progress()) metrics.sinkTo(ProgressSink.lines()).uid("progress").name("progress lines").setParallelism(parallelism);
        DataStream<AlertCheck> alerts = trained.getSideOutput(Diagnostics.ALERTS);
        alerts.sinkTo(PrometheusSinks.alerts()).uid("prometheus-alerts").name("alerts to prometheus").setParallelism(parallelism);
        toKafka(alerts.flatMap(KafkaRecords.alerts(spec.topics())).returns(Emitted.class).uid("encode-alerts").name("encode alerts").setParallelism(parallelism),
                "alert-sink", "alerts to kafka", parallelism);
        DataStream<SamplePicture> samples = trained.getSideOutput(Diagnostics.SAMPLES);
        samples.sinkTo(PrometheusSinks.samples()).uid("prometheus-samples").name("samples to prometheus").setParallelism(parallelism);
        if (spec.runDir() != null)
            samples.sinkTo(RunFolderSinks.samples(spec.runDir())).uid("sample-files").name("samples to the run folder").setParallelism(parallelism);
        trained.getSideOutput(Diagnostics.STATES).sinkTo(PrometheusSinks.states()).uid("prometheus-states").name("states to prometheus").setParallelism(parallelism);
        toKafka(decoded.getSideOutput(DecodeImageBatches.DEAD_LETTERS), "dead-letter-sink", "dead letters to kafka", 1);
    }

    /** Each stream to Kafka through the sink given for its uid. */
    private void toKafka(DataStream<Emitted> records, String uid, String name, int parallelism) {
        records.sinkTo(sinks.apply(uid)).uid(uid).name(name).setParallelism(parallelism);
    }

    public JobExecutionResult execute(StreamExecutionEnvironment env) throws Exception {
        build(env);
        return env.execute("wasserflow " + spec.runId());
    }

    /** Submits the job and returns at once: a run that ends when interrupted stops it through the client. */
    public JobClient executeAsync(StreamExecutionEnvironment env) throws Exception {
        build(env);
        return env.executeAsync("wasserflow " + spec.runId());
    }

    /** The image topic from the start offsets, bounded at the stop offsets unless they are null; it ends after a restore too. */
    public static RestorableKafkaSource<RawRecord> kafkaSource(String bootstrap, String topic, OffsetsInitializer start, OffsetsInitializer stop) {
        var b = KafkaSource.<RawRecord>builder().setBootstrapServers(bootstrap).setTopics(topic)
                .setStartingOffsets(start).setDeserializer(new RawDeserializer());
        if (stop != null) b.setBounded(stop); // a bounded source never looks for new partitions
        else b.setProperty("partition.discovery.interval.ms", "-1");
        return new RestorableKafkaSource<>(b.build());
    }

    /** The product's sink: at-least-once (the README's "Records once" says why), its repeats dropped by every reader. */
    public static KafkaSink<Emitted> kafkaSink(String bootstrap) {
        return kafkaSink(bootstrap, DeliveryGuarantee.AT_LEAST_ONCE, null);
    }

    /**
     * The sink under a delivery guarantee. {@code EXACTLY_ONCE} (the benchmark's comparison only) writes in Kafka
     * transactions committed at each checkpoint, under {@code transactionalIdPrefix} (one per sink: two sinks with one
     * prefix fence each other), with a transaction timeout below the broker's {@code transaction.max.timeout.ms}.
     */
    public static KafkaSink<Emitted> kafkaSink(String bootstrap, DeliveryGuarantee guarantee, String transactionalIdPrefix) {
        var b = KafkaSink.<Emitted>builder().setBootstrapServers(bootstrap)
                .setRecordSerializer((KafkaRecordSerializationSchema<Emitted>) (e, ctx, ts) ->
                        new ProducerRecord<>(e.topic, e.key == null ? null : e.key.getBytes(java.nio.charset.StandardCharsets.UTF_8), e.value))
                .setDeliveryGuarantee(guarantee);
        if (guarantee == DeliveryGuarantee.EXACTLY_ONCE)
            b.setTransactionalIdPrefix(transactionalIdPrefix).setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, String.valueOf(EXACTLY_ONCE_TIMEOUT_MS));
        return b
                // idempotent, acks=all: a retried send is neither repeated nor reordered, so a failover leaves each series a prefix
                // of its steps on the topic and the readers' FirstCopies can drop the replay's repeats by step
                .setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true").setProperty(ProducerConfig.ACKS_CONFIG, "all")
                // a step's records (about 20) and the next steps' go out in one request a second rather than one a step:
                // fewer requests for the broker that shares the trainer's cores; Grafana reads Prometheus, not this topic,
                // and the records of a run that ends or stops are flushed at once. A second of records fits one batch.
                .setProperty("linger.ms", String.valueOf(LINGER_MS))
                .setProperty("batch.size", String.valueOf(512 * 1024)).build();
    }

    static final int LINGER_MS = 1000;
    /** Below the broker's default transaction.max.timeout.ms (15 min), above any checkpoint interval the bench takes. */
    static final int EXACTLY_ONCE_TIMEOUT_MS = 5 * 60_000;

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

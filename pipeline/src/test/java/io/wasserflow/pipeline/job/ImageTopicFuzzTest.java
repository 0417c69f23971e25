package io.wasserflow.pipeline.job;

import io.wasserflow.pipeline.run.RunDir;
import static io.wasserflow.pipeline.testing.TinyConfigs.gp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.kafka.KafkaClients;
import io.wasserflow.pipeline.metrics.MetricsEndpoint;
import io.wasserflow.pipeline.source.Dataset;
import io.wasserflow.pipeline.source.Datasets;
import io.wasserflow.pipeline.testing.MiniClusters;
import io.wasserflow.pipeline.testing.TestBroker;
import io.wasserflow.pipeline.testing.TinyConfigs;
import io.wasserflow.pipeline.testing.TopicReader;
import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.DType;
import io.wasserflow.schemas.DeadLetter;
import io.wasserflow.schemas.ImageBatch;
import io.wasserflow.schemas.TrainingMetric;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Bad input on the image topic: a seeded generator interleaves every kind of record the
 * job cannot train on among good toy batches on a real broker. The job, with restarts disabled so
 * that any crash fails it, sends each bad record to the dead-letter topic exactly once with its
 * reason and its source position, counts it by reason on the Prometheus endpoint, and trains on
 * the good batches alone exactly as a bare trainer does.
 */
class ImageTopicFuzzTest {
    @RegisterExtension
    static final TestBroker BROKER = new TestBroker();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(1);

    static final String TOPIC = "wasserflow.images.8gaussians", RUN = "fuzz";
    static final long SEED = 20240611L;
    static final int GOOD_RECORDS = 48, PRODUCER_BATCH = 32, EXPERIMENT_BATCH = 64, BAD_PER_KIND = 3;
    static final long[] SHAPE = {1, 1, 2};
    static final String YAML = TinyConfigs.toy(null, gp().mlp(2, 32).batchSize(EXPERIMENT_BATCH));

    /** A kind of bad record and the reason category (the dead letter's reason up to its colon) it must get. */
    enum Kind {
        RANDOM_BYTES("not_single_object_encoded"), EMPTY_VALUE("not_single_object_encoded"), NULL_VALUE("not_single_object_encoded"),
        UNKNOWN_FINGERPRINT("unknown_schema"), OTHER_SCHEMA("unknown_schema"),
        TRUNCATED_BODY("corrupt_body"), HUGE_LENGTH_CLAIM("corrupt_body"),
        WRONG_SHAPE("wrong_shape"), WRONG_SIZE("wrong_size"),
        NAN("non_finite"), POSITIVE_INFINITY("non_finite"), NEGATIVE_INFINITY("non_finite"),
        ZERO_COUNT("empty"), NEGATIVE_COUNT("empty");

        final String reason;

        Kind(String reason) {
            this.reason = reason;
        }
    }

    /** One record as sent: its bytes (null for a tombstone), the kind when it is bad, and the offset the broker gave it. */
    record Sent(byte[] value, Kind bad, long offset) {}

    static ImageBatch batch(long sequence, int count, int channels, int height, int width, byte[] values) {
        return ImageBatch.newBuilder().setDataset("8gaussians").setSequence(sequence).setCount(count).setChannels(channels).setHeight(height)
                .setWidth(width).setDtype(DType.FLOAT32).setValues(ByteBuffer.wrap(values)).setProducerTimeMs(0).build();
    }

    static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }

    /** A bad record of the given kind, built from the good batch {@code good} where that helps (seeded by {@code rnd}). */
    static byte[] bad(Kind kind, Random rnd, Dataset.Batch good) {
        int n = good.count();
        switch (kind) {
            case RANDOM_BYTES -> {
                byte[] b = new byte[rnd.nextInt(300)];
                rnd.nextBytes(b);
                if (b.length > 0 && b[0] == (byte) 0xC3) b[0] = 0x00; // never the single-object marker by chance
                return b;
            }
            case EMPTY_VALUE -> {
                return new byte[0];
            }
            case NULL_VALUE -> {
                return null;
            }
            case UNKNOWN_FINGERPRINT -> {
                byte[] b = Codec.IMAGE_BATCH.encode(batch(-1, n, 1, 1, 2, good.values()));
                for (int i = 2; i < 10; i++) b[i] = (byte) rnd.nextInt(256); // a fingerprint no reader knows (2^-64 of being ImageBatch's)
                return b;
            }
            case OTHER_SCHEMA -> {
                return Codec.TRAINING_METRIC.encode(TrainingMetric.newBuilder().setRun("r").setExperiment("e").setName("wasserflow_critic_loss")
                        .setValue(rnd.nextDouble()).setGeneratorStep(0).setCriticStep(0).setTimeMs(0).build());
            }
            case TRUNCATED_BODY -> {
                byte[] b = Codec.IMAGE_BATCH.encode(batch(-1, n, 1, 1, 2, good.values()));
                return Arrays.copyOf(b, 10 + rnd.nextInt(b.length - 10)); // the header stays, some of the body is cut
            }
            case HUGE_LENGTH_CLAIM -> {
                // the header, then a dataset name that claims to be 1 GiB long
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(Codec.IMAGE_BATCH.encode(batch(-1, n, 1, 1, 2, good.values())), 0, 10);
                out.writeBytes(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08}); // zig-zag 2^30
                out.writeBytes(new byte[rnd.nextInt(40)]);
                return out.toByteArray();
            }
            case WRONG_SHAPE -> {
                int c = 1 + rnd.nextInt(3), h = 1 + rnd.nextInt(3), w = 3 + rnd.nextInt(3); // width 3..5: never the toy 1x1x2
                return Codec.IMAGE_BATCH.encode(batch(-1, n, c, h, w, new byte[4 * n * c * h * w]));
            }
            case WRONG_SIZE -> {
                int delta = (1 + rnd.nextInt(3)) * (rnd.nextBoolean() ? 4 : -4) * (rnd.nextBoolean() ? 1 : 2); // whole floats too many or too few
                return Codec.IMAGE_BATCH.encode(batch(-1, n, 1, 1, 2, Arrays.copyOf(good.values(), good.values().length + delta)));
            }
            case NAN, POSITIVE_INFINITY, NEGATIVE_INFINITY -> {
                float v = kind == Kind.NAN ? Float.NaN : kind == Kind.POSITIVE_INFINITY ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
                byte[] values = good.values().clone();
                ByteBuffer.wrap(values).order(ByteOrder.LITTLE_ENDIAN).putFloat(4 * rnd.nextInt(2 * n), v);
                return Codec.IMAGE_BATCH.encode(batch(-1, n, 1, 1, 2, values));
            }
            case ZERO_COUNT -> {
                return Codec.IMAGE_BATCH.encode(batch(-1, 0, 1, 1, 2, new byte[0]));
            }
            case NEGATIVE_COUNT -> {
                return Codec.IMAGE_BATCH.encode(batch(-1, -1 - rnd.nextInt(100), 1, 1, 2, new byte[0]));
            }
        }
        throw new AssertionError(kind);
    }

    /** Good batches in order, with BAD_PER_KIND bad records of every kind at seeded random places among them. */
    static List<Sent> send(String bootstrap) throws Exception {
        Random rnd = new Random(SEED);
        Dataset toy = Datasets.open("8gaussians", null, 7);
        List<Kind> bad = new ArrayList<>();
        for (Kind k : Kind.values()) for (int i = 0; i < BAD_PER_KIND; i++) bad.add(k);
        java.util.Collections.shuffle(bad, rnd);
        // slot i of GOOD_RECORDS + bad.size(): true where a bad record goes; the first and last slots stay good,
        // so the job must train on good batches both before the first bad record and after the last one
        boolean[] isBad = new boolean[GOOD_RECORDS + bad.size()];
        for (int placed = 0; placed < bad.size();) {
            int i = 1 + rnd.nextInt(isBad.length - 2);
            if (!isBad[i]) {
                isBad[i] = true;
                placed++;
            }
        }
        KafkaClients.ensureTopic(bootstrap, TOPIC);
        List<Sent> sent = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(bootstrap)) {
            int nextBad = 0;
            long sequence = 0;
            for (boolean b : isBad) {
                Dataset.Batch good = toy.next(PRODUCER_BATCH);
                byte[] value;
                Kind kind = null;
                if (b) {
                    kind = bad.get(nextBad++);
                    value = bad(kind, rnd, good); // the good batch it was made from is not sent
                } else {
                    value = Codec.IMAGE_BATCH.encode(batch(sequence++, good.count(), good.channels(), good.height(), good.width(), good.values()));
                }
                long offset = producer.send(new ProducerRecord<>(TOPIC, "8gaussians", value)).get().offset();
                sent.add(new Sent(value, kind, offset));
            }
        }
        return sent;
    }

    /** wasserflow_dead_letters_total of the run, by reason, as the endpoint serves it. */
    static Map<String, Long> deadLetterCounts(int port) throws IOException, InterruptedException {
        String page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Pattern series = Pattern.compile("^wasserflow_dead_letters_total\\{(.*)\\} (\\S+)$", Pattern.MULTILINE);
        Pattern reason = Pattern.compile("reason=\"([^\"]*)\"");
        Map<String, Long> counts = new TreeMap<>();
        for (Matcher m = series.matcher(page); m.find();) {
            if (!m.group(1).contains("run=\"" + RUN + "\"")) continue;
            Matcher r = reason.matcher(m.group(1));
            assertTrue(r.find(), m.group());
            counts.put(r.group(1), (long) Double.parseDouble(m.group(2)));
        }
        return counts;
    }

    static int freeBasePort() throws IOException {
        for (int attempt = 0; ; attempt++) {
            int base = 20_000 + new Random().nextInt(40_000);
            List<ServerSocket> held = new ArrayList<>();
            try {
                for (int port = base; port < base + MetricsEndpoint.PORTS; port++) held.add(new ServerSocket(port));
                return base;
            } catch (IOException busy) {
                if (attempt > 100) throw busy;
            } finally {
                for (ServerSocket s : held) s.close();
            }
        }
    }

    @Test
    void everyBadRecordIsDeadLetteredOnceWithItsReasonAndTheGoodOnesTrainAsABareTrainer(@TempDir Path saved) throws Exception {
        MetricsEndpoint.setBasePort(freeBasePort());
        // Held by the test as well, so the endpoint (and its counters) outlive the job's operators.
        try (MetricsEndpoint endpoint = MetricsEndpoint.acquire()) {
            String bootstrap = BROKER.bootstrap();
            List<Sent> sent = send(bootstrap);

            RunConfig config = RunConfig.parse(YAML);
            Configuration noRestarts = new Configuration();
            noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none"); // a record that crashed the job would fail this test
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(noRestarts);
            env.setParallelism(1);
            new TrainingJob(TrainingJob.kafkaSource(bootstrap, TOPIC, OffsetsInitializer.earliest(), OffsetsInitializer.latest()),
                    TrainingJob.kafkaSink(bootstrap),
                    JobSpec.of(config, RUN, Topics.defaults(), new RunDir(saved.toString()))).execute(env);

            // every bad record, once, with its reason and where it came from
            Map<Long, Sent> badByOffset = new TreeMap<>();
            Map<String, Long> expectedCounts = new TreeMap<>();
            for (Sent s : sent)
                if (s.bad != null) {
                    badByOffset.put(s.offset, s);
                    expectedCounts.merge(s.bad.reason, 1L, Long::sum);
                }
            assertEquals(Kind.values().length * BAD_PER_KIND, badByOffset.size());
            assertEquals(null, sent.get(0).bad, "a good batch before the first bad record");
            assertEquals(null, sent.get(sent.size() - 1).bad, "a good batch after the last bad record");
            Map<Long, DeadLetter> letters = new TreeMap<>();
            for (ConsumerRecord<byte[], byte[]> r : TopicReader.records(bootstrap, Topics.defaults().deadLetters())) {
                DeadLetter d = Codec.DEAD_LETTER.decode(r.value());
                DeadLetter before = letters.put(d.getOffset(), d);
                assertEquals(null, before, "offset " + d.getOffset() + " dead-lettered twice");
            }
            assertEquals(badByOffset.keySet(), letters.keySet(), "the dead letters are exactly the bad records");
            for (Map.Entry<Long, Sent> e : badByOffset.entrySet()) {
                DeadLetter d = letters.get(e.getKey());
                Kind kind = e.getValue().bad;
                String reason = d.getReason();
                assertEquals(kind.reason, reason.substring(0, Math.max(0, reason.indexOf(':'))), kind + " at offset " + e.getKey() + ": " + reason);
                assertTrue(reason.length() > kind.reason.length() + 3, "a reason says what is wrong: " + reason);
                if (kind == Kind.HUGE_LENGTH_CLAIM) assertTrue(reason.contains("a string of 1073741824 in a body of"), "refused unread: " + reason);
                assertEquals(TOPIC, d.getTopic());
                assertEquals(0, d.getPartition());
                byte[] payload = new byte[d.getPayload().remaining()];
                d.getPayload().duplicate().get(payload);
                assertArrayEquals(e.getValue().value == null ? new byte[0] : e.getValue().value, payload, kind + " payload");
            }

            // counted by reason on the Prometheus endpoint
            assertEquals(expectedCounts, deadLetterCounts(endpoint.port()));

            // trained on the good batches alone, in order, bit for bit as a bare trainer
            List<float[]> goodValues = new ArrayList<>();
            for (Sent s : sent) {
                if (s.bad != null) continue;
                ByteBuffer b = Codec.IMAGE_BATCH.decode(s.value).getValues().order(ByteOrder.LITTLE_ENDIAN);
                float[] v = new float[b.remaining() / 4];
                b.asFloatBuffer().get(v);
                goodValues.add(v);
            }
            float[] points = new float[goodValues.size() * PRODUCER_BATCH * 2];
            for (int i = 0; i < goodValues.size(); i++) System.arraycopy(goodValues.get(i), 0, points, i * PRODUCER_BATCH * 2, PRODUCER_BATCH * 2);
            int criticSteps = points.length / 2 / EXPERIMENT_BATCH;
            ExperimentConfig c = config.experiments().get(0);
            BlasThreads.fix(RunConfig.TrainerSlots.DEFAULT.blasThreads()); // the threads a job's trainer trains with, on this thread too
            Trainer bare = new Trainer(c, SHAPE);
            for (int s = 0; s < criticSteps; s++)
                bare.step(Nd4j.create(Arrays.copyOfRange(points, s * EXPERIMENT_BATCH * 2, (s + 1) * EXPERIMENT_BATCH * 2), new long[] {EXPERIMENT_BATCH, 1, 1, 2}, 'c'));
            Trainer fromJob = new Trainer(c, SHAPE);
            fromJob.restoreState(Files.readAllBytes(saved.resolve(c.name() + ".state")));
            assertEquals(GOOD_RECORDS * PRODUCER_BATCH / EXPERIMENT_BATCH, fromJob.criticSteps(), "every good batch trained on");
            assertEquals(bare.criticSteps(), fromJob.criticSteps());
            assertEquals(bare.parameterDigest(), fromJob.parameterDigest());
        } finally {
            MetricsEndpoint.setBasePort(0);
        }
    }
}

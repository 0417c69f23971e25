package io.wasserflow.pipeline.bench;

import io.wasserflow.models.data.Toy2D;
import io.wasserflow.models.nets.Architecture;
import io.wasserflow.models.nets.Flops;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Loss;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.models.util.Rng;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * `./wasserflow bench`: critic steps per second and achieved GFLOP/s of the bare trainer, and of its
 * peer, PyTorch on this machine, measured one after the other in the same run (the machine is
 * shared and noisy, so only the ratio means much).
 */
public final class Bench {
    private Bench() {}

    /** The peer's sizes: toy MLP width 512 batch 256; DCGAN DIM 64 batch 50. */
    static final int TOY_BATCH = 256, DCGAN_BATCH = 50, DCGAN_DIM = 64;
    static final String PEER_PYTHON = "/usr/bin/python3";

    public record Result(String who, double criticStepsPerSecond, double gflops) {}

    /** `--long-run`: {@code criticSteps} of the toy MLP through the pipeline, its memory sampled all along, the figure in {@code out}. */
    public static int longRun(String constraint, int criticSteps, int threads, Path out) throws Exception {
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        return LongRunBench.run(constraint, criticSteps, out);
    }

    /** `--profile`: the bare trainer's step, per phase and per kernel. */
    public static int profile(String arch, String constraint, double seconds, double warmup, int threads) throws Exception {
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        System.out.printf("bench --profile: %s, %s, %d threads, %.0f s after %.0f s warm-up, on %s%n", arch, constraint, threads, seconds, warmup, processor());
        onOwnThread(() -> {
            ProfileBench.run(arch, constraint, seconds, warmup);
            return null;
        });
        return 0;
    }

    /**
     * The bare trainer's throughput for {@code arch} (toy or dcgan) and {@code constraint} (clip or
     * gp), its PyTorch peer's when {@code peer}, and, when {@code pipeline}, the cost of publishing
     * every metric and the pipeline's throughput over the bare trainer's.
     */
    public static int run(String arch, String constraint, double seconds, double warmup, int threads, boolean peer, boolean pipeline) throws Exception {
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        System.out.printf("bench: %s, %s, %d threads, %.0f s timed after %.0f s warm-up, on %s%n", arch, constraint, threads, seconds, warmup, processor());
        List<Result> results = new ArrayList<>();
        results.add(onOwnThread(() -> bareTrainer(arch, constraint, seconds, warmup)));
        if (peer) {
            Result p = torchPeer(arch, constraint, seconds, warmup, threads);
            if (p != null) results.add(p);
        }
        PipelineBench.Estimate cost = pipeline ? onOwnThread(() -> PipelineBench.metricsCost(config(arch, constraint), seconds)) : null;
        List<Double> rounds = pipeline ? PipelineBench.throughput(arch, constraint, config(arch, constraint), seconds) : null;
        System.out.println();
        System.out.printf("%-22s %18s %10s %12s%n", "", "critic steps/s", "GFLOP/s", "vs PyTorch");
        double peerRate = results.size() > 1 ? results.get(1).criticStepsPerSecond() : Double.NaN;
        for (Result r : results)
            System.out.printf(Locale.ROOT, "%-22s %18.2f %10.2f %12s%n", r.who(), r.criticStepsPerSecond(), r.gflops(),
                    Double.isNaN(peerRate) ? "-" : String.format(Locale.ROOT, "%.2fx", r.criticStepsPerSecond() / peerRate));
        if (pipeline) {
            System.out.printf(Locale.ROOT, "publishing every metric (diagnostics, records, Avro, Prometheus): %.1f%% of training throughput, "
                    + "95%% interval %.1f%% to %.1f%% over %d paired blocks (goal < 3%%)%n", 100 * cost.median(), 100 * cost.low(), 100 * cost.high(), cost.samples());
            PipelineBench.Estimate ratio = PipelineBench.Estimate.of(rounds);
            System.out.printf(Locale.ROOT, "through the pipeline (Kafka -> Flink MiniCluster -> trainer -> Kafka + Prometheus) over the bare trainer on the same batches: "
                    + "ratio %.3f, 95%% interval %.3f to %.3f, the median of %d rounds (%s) (goal >= 0.95)%n", ratio.median(), ratio.low(), ratio.high(), rounds.size(),
                    rounds.stream().map(r -> String.format(Locale.ROOT, "%.3f", r)).collect(java.util.stream.Collectors.joining(", ")));
        }
        return 0;
    }

    /**
     * Runs a measurement on a thread of its own that ends with it. libgomp (ND4J's and OpenBLAS's
     * OpenMP) keeps a team of worker threads for every thread that ever ran a parallel region; once
     * they outnumber the cores, every team's workers sleep at once instead of spinning between the
     * ops of a step. A measurement run on main would leave its team behind and slow the pipeline's
     * trainer (a Flink task thread) that is measured after it; in `train` and `demo` that thread holds
     * the only team.
     */
    static <T> T onOwnThread(java.util.concurrent.Callable<T> work) throws Exception {
        java.util.concurrent.ExecutorService one = java.util.concurrent.Executors.newSingleThreadExecutor(r -> new Thread(r, "wasserflow-bench"));
        try {
            return one.submit(work).get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception x) throw x;
            throw e;
        } finally {
            one.shutdown();
            one.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES); // the thread, and with it its team, is gone
        }
    }

    static ExperimentConfig config(String arch, String constraint) {
        boolean toy = arch.equals("toy");
        ExperimentConfig.Builder c = ExperimentConfig.builder(arch + "-" + constraint, toy, Loss.WGAN, constraint);
        if (!toy) c.architecture(Architecture.dcgan(DCGAN_DIM)).batchSize(DCGAN_BATCH);
        return c.build();
    }

    static boolean toy(ExperimentConfig cfg) {
        return cfg.architecture().kind() == Architecture.Kind.MLP;
    }

    static long[] shape(ExperimentConfig cfg) {
        return toy(cfg) ? new long[] {1, 1, 2} : new long[] {1, 28, 28};
    }

    /** n training batches of the config's size: 8gaussians points, or random 28x28 images. */
    static List<INDArray> batches(ExperimentConfig cfg, int n) {
        List<INDArray> batches = new ArrayList<>();
        Rng rng = new Rng(1);
        for (int i = 0; i < n; i++) {
            INDArray b = toy(cfg) ? Nd4j.create(Toy2D.EIGHT_GAUSSIANS.sample(rng, cfg.batchSize()), new long[] {cfg.batchSize(), 1, 1, 2}, 'c')
                    : Nd4j.rand(DataType.FLOAT, cfg.batchSize(), 1, 28, 28);
            batches.add(b.castTo(DataType.FLOAT));
        }
        return batches;
    }

    static Result bareTrainer(String arch, String constraint, double seconds, double warmup) {
        ExperimentConfig cfg = config(arch, constraint);
        Trainer trainer = new Trainer(cfg, shape(cfg));
        List<INDArray> batches = batches(cfg, 16);
        System.out.println("bare trainer: " + trainer);
        long start = System.nanoTime(), deadline = start + (long) ((warmup + seconds) * 1e9), timedFrom = start + (long) (warmup * 1e9);
        long steps = 0, timedStart = -1;
        int i = 0;
        while (System.nanoTime() < deadline) {
            if (timedStart < 0 && System.nanoTime() >= timedFrom) {
                timedStart = System.nanoTime();
                steps = 0;
            }
            trainer.step(batches.get(i++ % batches.size()));
            steps++;
        }
        double rate = steps / ((System.nanoTime() - timedStart) / 1e9);
        double flops = Flops.perCriticStep(trainer.critic(), trainer.generator(), cfg.batchSize(), cfg.constraint().isPenalty(), cfg.nCritic());
        return new Result("Wasserflow (ND4J)", rate, rate * flops / 1e9);
    }

    static Result torchPeer(String arch, String constraint, double seconds, double warmup, int threads) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(PEER_PYTHON))) {
            System.out.println("peer: " + PEER_PYTHON + " not found (apt-get install python3-torch libopenblas0-pthread); skipped");
            return null;
        }
        Path script = Files.createTempFile("wasserflow-torch-peer", ".py");
        try (InputStream in = Bench.class.getResourceAsStream("/io/wasserflow/bench/torch_peer.py")) {
            if (in == null) throw new IOException("torch_peer.py is missing from the jar");
            Files.write(script, in.readAllBytes());
        }
        try {
            ProcessBuilder pb = new ProcessBuilder(PEER_PYTHON, script.toString(), "--arch", arch, "--constraint", constraint,
                    "--threads", String.valueOf(threads), "--seconds", String.valueOf(seconds), "--warmup", String.valueOf(warmup), "--json")
                    .redirectErrorStream(true);
            // The peer at its best: with OpenMP's default (spinning) wait policy, Debian's PyTorch fights its own
            // OpenBLAS threads for the cores (README: benchmark notes).
            pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int code = p.waitFor();
            Matcher rate = Pattern.compile("\"critic_steps_per_s\":\\s*([0-9.eE+-]+)").matcher(out);
            Matcher gf = Pattern.compile("\"gflops\":\\s*([0-9.eE+-]+)").matcher(out);
            Matcher version = Pattern.compile("\"torch\":\\s*\"([^\"]+)\"").matcher(out);
            if (code != 0 || !rate.find() || !gf.find()) {
                System.out.println("peer: PyTorch did not run (" + out.strip().lines().reduce((a, b) -> b).orElse("no output") + "); skipped");
                return null;
            }
            return new Result("PyTorch " + (version.find() ? version.group(1) : ""), Double.parseDouble(rate.group(1)), Double.parseDouble(gf.group(1)));
        } finally {
            Files.deleteIfExists(script);
        }
    }

    /** The processor's model, as /proc/cpuinfo names it: figures differ from one processor to the next. */
    static String processor() {
        try (java.util.stream.Stream<String> lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst()
                    .orElse(System.getProperty("os.arch")) + " (" + Runtime.getRuntime().availableProcessors() + " cores)";
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return System.getProperty("os.arch");
        }
    }
}

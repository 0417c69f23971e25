package io.wasserflow.pipeline.bench;

import io.wasserflow.models.data.Toy2D;
import io.wasserflow.models.nets.Architecture;
import io.wasserflow.models.nets.Flops;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Loss;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.models.util.Rng;
import io.wasserflow.pipeline.run.Machine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

    public record Result(double criticStepsPerSecond, double gflops) {}

    /** `--long-run`: {@code criticSteps} of the toy MLP through the pipeline, its memory sampled all along, the figure in {@code out}. */
    public static int longRun(String constraint, int criticSteps, int threads, Path out) throws Exception {
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        return LongRunBench.run(constraint, criticSteps, out);
    }

    /** `--sweep N`: experiments per hour of a sweep of N through the pipeline, on one slot and on every core's. */
    public static int sweep(int experiments, int generatorSteps) throws Exception {
        return SweepBench.run(experiments, generatorSteps);
    }

    /** `--scrape N`: the metrics endpoint's scrape time for a sweep of N, thinned and not, training and finished. */
    public static int scrape(int experiments) throws Exception {
        return ScrapeBench.run(experiments);
    }

    /** `--profile`: the bare trainer's step, per phase and per kernel. */
    public static int profile(String arch, String constraint, double seconds, double warmup, int threads) throws Exception {
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        System.out.printf("bench --profile: %s, %s, %d threads, %.0f s after %.0f s warm-up, on %s%n", arch, constraint, threads, seconds, warmup, Machine.here().processor());
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
    public static int run(String arch, String constraint, double seconds, double warmup, int threads, boolean peer, boolean pipeline, Path cache) throws Exception {
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        System.out.printf("bench: %s, %s, %d threads, %.0f s timed after %.0f s warm-up, each side twice, interleaved%n", arch, constraint, threads, seconds, warmup);
        System.out.println("machine: " + Machine.here().describe());
        java.util.Optional<TorchPeer> torch = peer ? TorchPeer.find(cache) : java.util.Optional.empty();
        GemmPeak peak = onOwnThread(() -> GemmPeak.measure(3));
        List<Result> ours = new ArrayList<>();
        List<TorchPeer.Run> theirs = new ArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
            Result r = onOwnThread(() -> bareTrainer(arch, constraint, seconds, warmup));
            ours.add(r);
            String line = String.format(Locale.ROOT, "round %d: Wasserflow %.2f critic steps/s", round, r.criticStepsPerSecond());
            if (torch.isPresent()) {
                // PyTorch at its best: the better of OpenMP's two wait policies (README: benchmark notes)
                TorchPeer.Run best = null;
                for (String policy : List.of("PASSIVE", "ACTIVE")) {
                    TorchPeer.Run p = torch.get().run(arch, constraint, seconds, warmup, threads, policy);
                    if (p != null) line += String.format(Locale.ROOT, ", PyTorch %s %.2f", policy, p.criticStepsPerSecond());
                    if (p != null && (best == null || p.criticStepsPerSecond() > best.criticStepsPerSecond())) best = p;
                }
                if (best != null) theirs.add(best);
            }
            System.out.println(line);
        }
        PipelineBench.Estimate cost = pipeline ? onOwnThread(() -> PipelineBench.metricsCost(config(arch, constraint), seconds)) : null;
        PipelineBench.Rounds pipelineRounds = pipeline ? PipelineBench.throughput(arch, constraint, config(arch, constraint), seconds) : null;
        List<Double> rounds = pipeline ? pipelineRounds.ratios() : null;

        double rate = median(ours.stream().mapToDouble(Result::criticStepsPerSecond).toArray());
        double gflops = median(ours.stream().mapToDouble(Result::gflops).toArray());
        double peerRate = theirs.isEmpty() ? Double.NaN : median(theirs.stream().mapToDouble(TorchPeer.Run::criticStepsPerSecond).toArray());
        System.out.println();
        System.out.printf("%-26s %16s %10s %12s   %s%n", "median of " + ROUNDS + " rounds", "critic steps/s", "GFLOP/s", "vs PyTorch", "libraries");
        System.out.printf(Locale.ROOT, "%-26s %16.2f %10.2f %12s   %s%n", "Wasserflow (ND4J)", rate, gflops,
                Double.isNaN(peerRate) ? "-" : String.format(Locale.ROOT, "%.2fx", rate / peerRate), Machine.here().libnd4j() + ", " + Machine.here().blas());
        if (!theirs.isEmpty())
            System.out.printf(Locale.ROOT, "%-26s %16.2f %10.2f %12s   %s%n", "PyTorch " + torch.get().python.torch(), peerRate,
                    median(theirs.stream().mapToDouble(TorchPeer.Run::gflops).toArray()), "1.00x", theirs.get(0).libraries());
        System.out.printf(Locale.ROOT, "large sgemm (%d^3, %d threads): BLAS %.1f GFLOP/s, matmul op %.1f GFLOP/s; the critic step runs at %.0f%% of the better%s%n",
                GemmPeak.N, threads, peak.blas(), peak.matmulOp(), 100 * gflops / peak.best(), arch.equals("toy") && constraint.equals("gp") ? " (goal >= 50%)" : "");
        if (pipeline) {
            System.out.printf(Locale.ROOT, "publishing every metric (diagnostics, records, Avro, Prometheus): %.1f%% of training throughput, "
                    + "95%% interval %.1f%% to %.1f%% over %d paired blocks (goal < 3%%)%n", 100 * cost.median(), 100 * cost.low(), 100 * cost.high(), cost.samples());
            PipelineBench.Estimate ratio = PipelineBench.Estimate.of(rounds);
            System.out.printf(Locale.ROOT, "through the pipeline (Kafka -> Flink MiniCluster -> trainer -> Kafka + Prometheus) over the bare trainer on the same batches: "
                    + "ratio %.3f, 95%% interval %.3f to %.3f, the median of %d rounds (%s) (goal >= 0.95)%n", ratio.median(), ratio.low(), ratio.high(), rounds.size(),
                    rounds.stream().map(r -> String.format(Locale.ROOT, "%.3f", r)).collect(java.util.stream.Collectors.joining(", ")));
            PipelineBench.Estimate stepTimes = PipelineBench.Estimate.of(pipelineRounds.stepTimeRatios()),
                    inside = PipelineBench.Estimate.of(pipelineRounds.insideShares());
            System.out.printf(Locale.ROOT, "  its two factors: a bare step's own time over a pipeline step's %.3f (95%% interval %.3f to %.3f), and the share of the "
                    + "pipeline's time inside its steps %.1f%% (%.1f%% to %.1f%%), the rest spent around them (input, records, sinks, pictures, waiting)%n",
                    stepTimes.median(), stepTimes.low(), stepTimes.high(), 100 * inside.median(), 100 * inside.low(), 100 * inside.high());
            PipelineBench.Estimate checkpoints = PipelineBench.Estimate.of(pipelineRounds.checkpointCosts());
            double perSecond = io.wasserflow.pipeline.config.RunConfig.Checkpoints.DEFAULT.intervalSeconds() * 1000.0 / PipelineBench.CHECKPOINT_MS;
            System.out.printf(Locale.ROOT, "periodic checkpoints (the trainers' state serialized in the task thread, written to files) every %d ms: %.1f%% of "
                    + "pipeline throughput, 95%% interval %.1f%% to %.1f%%, the median of %d paired runs; at a local run's default of one every %d s: "
                    + "about %.2f%%%n", PipelineBench.CHECKPOINT_MS, 100 * checkpoints.median(), 100 * checkpoints.low(), 100 * checkpoints.high(),
                    checkpoints.samples(), io.wasserflow.pipeline.config.RunConfig.Checkpoints.DEFAULT.intervalSeconds(), 100 * checkpoints.median() / perSecond);
            PipelineBench.Estimate exactlyOnce = PipelineBench.Estimate.of(pipelineRounds.exactlyOnceCosts());
            System.out.printf(Locale.ROOT, "the Kafka sink EXACTLY_ONCE (transactions committed at each checkpoint) against AT_LEAST_ONCE, both checkpointing "
                    + "every %d ms: %.1f%% of pipeline throughput, 95%% interval %.1f%% to %.1f%%, the median of %d paired runs%n", PipelineBench.CHECKPOINT_MS,
                    100 * exactlyOnce.median(), 100 * exactlyOnce.low(), 100 * exactlyOnce.high(), exactlyOnce.samples());
        }
        return 0;
    }

    static final int ROUNDS = 2;

    static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
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
        return new Result(rate, rate * flops / 1e9);
    }

}

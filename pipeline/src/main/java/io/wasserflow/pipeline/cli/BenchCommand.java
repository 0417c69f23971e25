package io.wasserflow.pipeline.cli;

import io.wasserflow.pipeline.BadInputException;
import io.wasserflow.pipeline.bench.Bench;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `wasserflow bench`: the flags of {@link Bench}, the trainer's and the pipeline's throughput, or the long run's memory. */
@Command(name = "bench", description = {"Training-step throughput of the bare trainer, of PyTorch on this machine, and through the pipeline, side by side.",
        "With --long-run: that many critic steps of the toy MLP through the pipeline, memory sampled all along.",
        "With --sweep N: experiments per hour of a sweep of N through the pipeline, on one trainer slot against every core's.",
        "With --scrape N: the metrics endpoint's scrape time and size for a sweep of N experiments, thinned and not."})
final class BenchCommand implements Callable<Integer> {
    // the values spelled as on the command line
    enum Arch { toy, dcgan }

    enum Constraint { clip, gp }

    enum Peer { auto, none }

    enum Switch { on, off }

    @Option(names = "--arch", paramLabel = "toy|dcgan", description = "the toy MLP or the DCGAN")
    Arch arch = Arch.toy;

    @Option(names = "--constraint", paramLabel = "clip|gp", description = "weight clipping or the gradient penalty")
    Constraint constraint = Constraint.gp;

    @Option(names = "--seconds", paramLabel = "S", description = "timed seconds per measurement")
    double seconds = 20;

    @Option(names = "--warmup", paramLabel = "S", description = "untimed seconds before each")
    double warmup = 3;

    @Option(names = "--threads", paramLabel = "T", description = "ND4J's threads (and the peer's)")
    int threads = 2;

    @Option(names = "--peer", paramLabel = "auto|none", description = "time PyTorch too, when installed")
    Peer peer = Peer.auto;

    @Option(names = "--peer-cache", paramLabel = "DIR", description = "where the venv made from a local torch wheel lives")
    Path peerCache = Path.of(System.getProperty("user.home"), ".cache", "wasserflow");

    @Option(names = "--pipeline", paramLabel = "on|off", description = "time the metrics and the pipeline too")
    Switch pipeline = Switch.on;

    @Option(names = "--profile", description = "where the bare trainer's step spends its time, per phase and per kernel, instead")
    boolean profile;

    @Option(names = "--long-run", paramLabel = "CRITIC_STEPS", description = "the long run instead, at least 100 critic steps (the README's: 20000)")
    Integer longRun;

    @Option(names = "--sweep", paramLabel = "N", description = "experiments per hour of a sweep of N small toy experiments through the pipeline, on one slot and on every core's, instead")
    Integer sweep;

    @Option(names = "--sweep-steps", paramLabel = "G", description = "generator steps of each experiment of --sweep")
    int sweepSteps = 40;

    @Option(names = "--scrape", paramLabel = "N", description = "the scrape time of the metrics endpoint for a sweep of N small experiments (the README's: 64), instead")
    Integer scrape;

    @Option(names = "--out", paramLabel = "DIR", description = "where the long run writes its memory figure")
    Path out = Path.of("wasserflow-data/bench");

    @Override
    public Integer call() throws Exception {
        if (longRun != null) {
            if (longRun < 100) throw new BadInputException("--long-run must be at least 100 critic steps, not " + longRun);
            if (arch != Arch.toy) throw new BadInputException("--long-run trains the toy MLP; drop --arch " + arch);
            return Bench.longRun(constraint.name(), longRun, threads, out);
        }
        if (sweep != null) {
            if (sweep < 2 || sweep > 256) throw new BadInputException("--sweep takes 2 to 256 experiments, not " + sweep);
            if (sweepSteps < 1) throw new BadInputException("--sweep-steps must be at least 1, not " + sweepSteps);
            return Bench.sweep(sweep, sweepSteps);
        }
        if (scrape != null) {
            if (scrape < 1 || scrape > 256) throw new BadInputException("--scrape takes 1 to 256 experiments, not " + scrape);
            return Bench.scrape(scrape);
        }
        if (profile) return Bench.profile(arch.name(), constraint.name(), seconds, warmup, threads);
        return Bench.run(arch.name(), constraint.name(), seconds, warmup, threads, peer == Peer.auto, pipeline == Switch.on, peerCache);
    }
}

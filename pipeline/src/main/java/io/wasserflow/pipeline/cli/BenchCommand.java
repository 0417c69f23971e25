package io.wasserflow.pipeline.cli;

import io.wasserflow.pipeline.BadInputException;
import io.wasserflow.pipeline.bench.Bench;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `wasserflow bench`: the flags of {@link Bench}, the trainer's and the pipeline's throughput, or the long run's memory. */
@Command(name = "bench", description = {"Training-step throughput of the bare trainer, of PyTorch on this machine, and through the pipeline, side by side.",
        "With --long-run: that many critic steps of the toy MLP through the pipeline, memory sampled all along."})
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

    @Option(names = "--out", paramLabel = "DIR", description = "where the long run writes its memory figure")
    Path out = Path.of("wasserflow-data/bench");

    @Override
    public Integer call() throws Exception {
        if (longRun != null) {
            if (longRun < 100) throw new BadInputException("--long-run must be at least 100 critic steps, not " + longRun);
            if (arch != Arch.toy) throw new BadInputException("--long-run trains the toy MLP; drop --arch " + arch);
            return Bench.longRun(constraint.name(), longRun, threads, out);
        }
        if (profile) return Bench.profile(arch.name(), constraint.name(), seconds, warmup, threads);
        return Bench.run(arch.name(), constraint.name(), seconds, warmup, threads, peer == Peer.auto, pipeline == Switch.on, peerCache);
    }
}

package io.wasserflow.pipeline.cli;

import io.wasserflow.pipeline.BadInputException;
import io.wasserflow.pipeline.bench.Bench;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** `./wasserflow <command>`: one line of error and a non-zero exit for bad input, never a bare stack trace. */
public final class Main {
    interface Command {
        int run(Args args) throws Exception;
    }

    record Spec(String usage, Set<String> flags, Command command) {}

    static final Map<String, Spec> COMMANDS = new TreeMap<>();

    static {
        COMMANDS.put("broker", new Spec("broker [--dir DIR] [--port P]", Set.of("dir", "port"), BrokerCommand::run));
        COMMANDS.put("produce", new Spec("produce --bootstrap HOST:PORT --dataset D [--topic T] [--batch-size B] [--epochs E] [--data DIR] [--seed S]",
                Set.of("bootstrap", "dataset", "topic", "batch-size", "epochs", "data", "seed"), ProduceCommand::run));
        COMMANDS.put("demo", new Spec("demo [--dataset D] [--steps N] [--config FILE|PRESET] [--workdir DIR] [--data DIR]",
                Set.of("dataset", "steps", "config", "workdir", "data"), DemoCommand::run));
        COMMANDS.put("train", new Spec("train --bootstrap HOST:PORT --config FILE|PRESET [--from earliest|latest|timestamp:MS|offsets:P=O,...] [--until latest|never] [--workdir DIR]",
                Set.of("bootstrap", "config", "from", "until", "workdir", "run-id"), TrainCommand::run));
        COMMANDS.put("bench", new Spec("bench [--arch toy|dcgan] [--constraint clip|gp] [--seconds S] [--threads T] [--peer auto|none] [--pipeline on|off] [--long-run CRITIC_STEPS [--out DIR]]",
                Set.of("arch", "constraint", "seconds", "threads", "peer", "warmup", "pipeline", "long-run", "out"), Bench::run));
        COMMANDS.put("sample", new Spec(SampleCommand.USAGE, SampleCommand.FLAGS, SampleCommand::run));
        COMMANDS.put("replay", new Spec(ReplayCommand.USAGE, ReplayCommand.FLAGS, ReplayCommand::run));
        COMMANDS.put("report", new Spec(io.wasserflow.pipeline.report.ReportCommand.USAGE, io.wasserflow.pipeline.report.ReportCommand.FLAGS, io.wasserflow.pipeline.report.ReportCommand::run));
    }

    public static void main(String[] argv) {
        System.exit(run(argv));
    }

    static int run(String[] argv) {
        if (argv.length == 0 || argv[0].equals("help") || argv[0].equals("--help") || argv[0].equals("-h")) {
            usage();
            return argv.length == 0 ? 2 : 0;
        }
        Spec spec = COMMANDS.get(argv[0]);
        if (spec == null) {
            System.err.println("wasserflow: unknown command '" + argv[0] + "' (commands: " + String.join(", ", COMMANDS.keySet()) + ")");
            return 2;
        }
        try {
            return spec.command.run(new Args(argv[0], argv, 1, spec.flags));
        } catch (BadInputException e) {
            System.err.println("wasserflow " + argv[0] + ": " + e.getMessage().replaceAll("\\R", " "));
            return 2;
        } catch (Exception e) {
            System.err.println("wasserflow " + argv[0] + ": " + oneLine(e));
            if (System.getenv("WASSERFLOW_DEBUG") != null) e.printStackTrace();
            return 1;
        }
    }

    static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String msg = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return msg.replaceAll("\\R", " ");
    }

    static void usage() {
        System.out.println("usage: wasserflow <command> [flags]");
        for (Spec s : COMMANDS.values()) System.out.println("  " + s.usage);
    }
}

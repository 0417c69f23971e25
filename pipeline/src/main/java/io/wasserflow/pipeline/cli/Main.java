package io.wasserflow.pipeline.cli;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * `./wasserflow <command>`: the picocli root command. Bad input ends in one line and exit code 2,
 * anything else that fails in one line and exit code 1, never a stack trace (see {@link OneLineErrors}).
 */
@Command(name = "wasserflow", description = "Wasserstein GANs trained as a streaming experiment: Kafka, Flink, Prometheus.",
        subcommands = {DemoCommand.class, BrokerCommand.class, ProduceCommand.class, TrainCommand.class, ReplayCommand.class, ResumeCommand.class, SampleCommand.class,
                ReportCommand.class, BenchCommand.class, HelpCommand.class},
        footer = "%n`wasserflow COMMAND --help` or `wasserflow help COMMAND` shows a command's flags.")
public final class Main implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this list of commands.")
    boolean help;

    /** No command: the list of commands, and the exit code of bad input. */
    @Override
    public Integer call() {
        spec.commandLine().usage(System.out);
        return OneLineErrors.BAD_INPUT;
    }

    public static void main(String[] argv) {
        System.exit(run(argv));
    }

    static int run(String[] argv) {
        try {
            return commandLine().execute(argv);
        } catch (Error e) {
            // picocli hands on Errors, such as ND4J's backend failing in its static initialiser
            if (!OneLineErrors.reportedAsCuda(e)) throw e;
            return OneLineErrors.FAILED;
        }
    }

    /** The commands that train or sample, so use ND4J: on the CUDA build they start with {@link CudaCheck}. */
    static final Set<String> ND4J_COMMANDS = Set.of("demo", "train", "replay", "resume", "sample", "bench");

    /**
     * picocli's usual strategy (the last subcommand runs, or prints its usage), after the CUDA build's
     * check for a command in {@link #ND4J_COMMANDS}: without a usable GPU, one line and exit code 1 before
     * anything starts, in place of ND4J's stack trace. Parsing comes first, so bad flags are still exit code 2.
     */
    private static int execute(ParseResult parsed) {
        ParseResult sub = parsed.subcommand();
        if (sub != null && ND4J_COMMANDS.contains(sub.commandSpec().name()) && !sub.isUsageHelpRequested() && !sub.isVersionHelpRequested()) {
            Optional<String> gpu = CudaCheck.problem();
            if (gpu.isPresent()) {
                System.err.println("wasserflow: " + gpu.get());
                return OneLineErrors.FAILED;
            }
        }
        return new CommandLine.RunLast().execute(parsed);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExpandAtFiles(false); // an argument "@file" is a value, not a file of arguments to read
        cl.setOverwrittenOptionsAllowed(true); // a flag given twice: the last value counts
        OneLineErrors errors = new OneLineErrors();
        cl.setParameterExceptionHandler(errors);
        cl.setExecutionExceptionHandler(errors);
        cl.setExecutionStrategy(Main::execute);
        for (CommandLine sub : cl.getSubcommands().values()) {
            sub.getCommandSpec().usageMessage().showDefaultValues(true).sortOptions(false).sortSynopsis(false);
            // --help only, no -h: a value such as "-hx" must not be read as a cluster of short flags
            if (!(sub.getCommand() instanceof HelpCommand))
                sub.getCommandSpec().addOption(OptionSpec.builder("--help").usageHelp(true).description("Show this command's usage.").build());
        }
        return cl;
    }
}

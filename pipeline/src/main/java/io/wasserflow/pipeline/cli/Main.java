package io.wasserflow.pipeline.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * `./wasserflow <command>`: the picocli root command. Bad input ends in one line and exit code 2,
 * anything else that fails in one line and exit code 1, never a stack trace (see {@link OneLineErrors}).
 */
@Command(name = "wasserflow", description = "Wasserstein GANs trained as a streaming experiment: Kafka, Flink, Prometheus.",
        subcommands = {DemoCommand.class, BrokerCommand.class, ProduceCommand.class, TrainCommand.class, ReplayCommand.class, SampleCommand.class,
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
        return commandLine().execute(argv);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExpandAtFiles(false); // an argument "@file" is a value, not a file of arguments to read
        cl.setOverwrittenOptionsAllowed(true); // a flag given twice: the last value counts
        OneLineErrors errors = new OneLineErrors();
        cl.setParameterExceptionHandler(errors);
        cl.setExecutionExceptionHandler(errors);
        for (CommandLine sub : cl.getSubcommands().values()) {
            sub.getCommandSpec().usageMessage().showDefaultValues(true).sortOptions(false).sortSynopsis(false);
            // --help only, no -h: a value such as "-hx" must not be read as a cluster of short flags
            if (!(sub.getCommand() instanceof HelpCommand))
                sub.getCommandSpec().addOption(OptionSpec.builder("--help").usageHelp(true).description("Show this command's usage.").build());
        }
        return cl;
    }
}

package io.wasserflow.pipeline.cli;

import io.wasserflow.pipeline.BadInputException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `wasserflow help [COMMAND]`: the list of commands, or one command's usage (the same as `COMMAND --help`). */
@Command(name = "help", description = "Show the list of commands, or one command's usage.")
final class HelpCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "COMMAND", description = "the command to describe")
    String command;

    @Override
    public Integer call() {
        CommandLine root = spec.root().commandLine();
        if (command == null) {
            root.usage(System.out);
            return 0;
        }
        CommandLine sub = root.getSubcommands().get(command);
        if (sub == null) throw new BadInputException(OneLineErrors.unknownCommand(command, root));
        sub.usage(System.out);
        return 0;
    }
}

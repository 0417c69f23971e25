package io.wasserflow.pipeline.cli;

import io.wasserflow.pipeline.BadInputException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Every failure as one line on stderr, "wasserflow COMMAND: what is wrong", in place of picocli's
 * message and usage dump: exit code 2 for bad input (a flag, or a {@link BadInputException} from any
 * layer), 1 for anything else. WASSERFLOW_DEBUG=1 adds the stack trace.
 */
final class OneLineErrors implements IParameterExceptionHandler, IExecutionExceptionHandler {
    static final int FAILED = 1, BAD_INPUT = 2;

    @Override
    public int handleParseException(ParameterException e, String[] argv) {
        CommandLine where = e.getCommandLine();
        print(where, where.getParent() == null ? topLevel(e, where) : message(e, where, argv));
        return BAD_INPUT;
    }

    /** Where {@code e} is the CUDA build's backend failing: its one line printed (and the trace with WASSERFLOW_DEBUG), and true. */
    static boolean reportedAsCuda(Throwable e) {
        java.util.Optional<String> gpu = CudaCheck.explain(e);
        if (gpu.isEmpty()) return false;
        System.err.println("wasserflow: " + gpu.get());
        if (System.getenv("WASSERFLOW_DEBUG") != null) e.printStackTrace();
        return true;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine where, ParseResult parsed) {
        BadInputException bad = null;
        for (Throwable t = e; t != null && bad == null; t = t.getCause() == t ? null : t.getCause()) if (t instanceof BadInputException b) bad = b;
        if (bad == null && reportedAsCuda(e)) return FAILED; // the CUDA build's backend failing on a path its check did not precede
        print(where, bad != null ? bad.getMessage() : rootMessage(e));
        if (System.getenv("WASSERFLOW_DEBUG") != null) e.printStackTrace();
        return bad != null ? BAD_INPUT : FAILED;
    }

    /** Before any command is chosen, every mistake is an unknown command. */
    private static String topLevel(ParameterException e, CommandLine root) {
        String given = e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty() ? u.getUnmatched().get(0) : String.valueOf(e.getValue());
        return unknownCommand(given, root);
    }

    static String unknownCommand(String given, CommandLine root) {
        return "unknown command '" + given + "' (commands: " + String.join(", ", root.getSubcommands().keySet()) + ")";
    }

    private static String message(ParameterException e, CommandLine where, String[] argv) {
        if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String arg = u.getUnmatched().get(0);
            if (!arg.startsWith("--")) return "unexpected argument '" + arg + "' (flags are --name value)";
            String known = where.getCommandSpec().options().stream().filter(o -> !o.usageHelp()).map(OptionSpec::longestName).collect(Collectors.joining(", "));
            return "unknown flag " + arg.replaceFirst("=.*", "") + " (known: " + known + ")";
        }
        if (e instanceof MissingParameterException m && !m.getMissing().isEmpty()) {
            List<String> names = m.getMissing().stream().map(OneLineErrors::name).toList();
            if (names.size() == 1 && given(names.get(0), argv)) return names.get(0) + " needs a value";
            return String.join(" and ", names) + (names.size() == 1 ? " is" : " are") + " required";
        }
        ArgSpec arg = e.getArgSpec();
        if (arg != null && e.getValue() != null) return name(arg) + " must be " + expected(arg.type()) + ", got '" + e.getValue() + "'";
        return e.getMessage();
    }

    private static String expected(Class<?> type) {
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) return "a whole number";
        if (type == double.class || type == Double.class) return "a number";
        if (type.isEnum()) return "one of " + Arrays.stream(type.getEnumConstants()).map(String::valueOf).collect(Collectors.joining(", "));
        return "a " + type.getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }

    private static String name(ArgSpec arg) {
        return arg instanceof OptionSpec o ? o.longestName() : arg.paramLabel();
    }

    /** Whether the flag is on the command line, so what is missing is its value. */
    private static boolean given(String flag, String[] argv) {
        return Arrays.stream(argv).anyMatch(a -> a.equals(flag) || a.startsWith(flag + "="));
    }

    /** The innermost cause's message (its class name when it has none). */
    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    private static void print(CommandLine where, String message) {
        System.err.println(where.getCommandSpec().qualifiedName() + ": " + message.replaceAll("\\R", " "));
    }
}

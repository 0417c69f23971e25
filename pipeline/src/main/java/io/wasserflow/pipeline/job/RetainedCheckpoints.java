package io.wasserflow.pipeline.job;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.state.KeyGroupsStateHandle;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.runtime.state.filesystem.FileStateHandle;

/**
 * The checkpoints Flink retained in a run's folder ({@code checkpoints/<job id>/chk-<n>/}), newest
 * first, and which of them a resume can start from. Flink checks neither its files nor the state in
 * them, so each is read here before anything starts: its {@code _metadata} whole, every state file
 * it names there at the size it names, and every experiment's entry of the trainers' state with its
 * checksum ({@link RunnerState}). One that fails is passed over with one line naming it.
 */
public final class RetainedCheckpoints {
    private RetainedCheckpoints() {}

    static final String METADATA = "_metadata";
    private static final Pattern CHK = Pattern.compile("chk-(\\d+)");

    /** A checkpoint a run can resume from: its folder (Flink's external pointer) and id. */
    public record Checkpoint(Path dir, long id) {
        public String name() {
            return dir.getParent().getFileName() + "/" + dir.getFileName();
        }
    }

    /** The newest usable checkpoint (null: none) and one line for each newer one passed over. */
    public record Choice(Checkpoint usable, List<String> passedOver) {}

    /** Every {@code chk-N} folder under the run's checkpoints folder, newest first (by when it was written, then by id). */
    public static List<Path> newestFirst(Path checkpoints) throws IOException {
        if (!Files.isDirectory(checkpoints)) return List.of();
        List<Path> out = new ArrayList<>();
        try (Stream<Path> jobs = Files.list(checkpoints)) {
            for (Path job : jobs.filter(Files::isDirectory).toList())
                try (Stream<Path> chks = Files.list(job)) {
                    chks.filter(p -> Files.isDirectory(p) && CHK.matcher(p.getFileName().toString()).matches()).forEach(out::add);
                }
        }
        out.sort(Comparator.comparingLong(RetainedCheckpoints::writtenAt).thenComparingLong(RetainedCheckpoints::id).reversed());
        return out;
    }

    private static long writtenAt(Path chk) {
        try {
            Path meta = chk.resolve(METADATA);
            return Files.getLastModifiedTime(Files.exists(meta) ? meta : chk).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    static long id(Path chk) {
        Matcher m = CHK.matcher(chk.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /** The newest checkpoint that reads whole, passing over (one line each) the newer ones that do not. */
    public static Choice latestUsable(Path checkpoints) throws IOException {
        List<String> passed = new ArrayList<>();
        for (Path chk : newestFirst(checkpoints)) {
            Checkpoint c = new Checkpoint(chk, id(chk));
            String problem = problem(chk);
            if (problem == null) return new Choice(c, passed);
            passed.add("checkpoint " + c.name() + " in " + checkpoints + " " + problem + "; passed over");
        }
        return new Choice(null, passed);
    }

    /** Why this checkpoint folder cannot be resumed from, in a few words; null when it reads whole. */
    public static String problem(Path chk) {
        Path meta = chk.resolve(METADATA);
        if (!Files.isRegularFile(meta)) return "is incomplete (no " + METADATA + ": it was being written when the run stopped)";
        CheckpointMetadata metadata;
        try (DataInputStream in = new DataInputStream(Files.newInputStream(meta))) {
            metadata = Checkpoints.loadCheckpointMetadata(in, RetainedCheckpoints.class.getClassLoader(), chk.toAbsolutePath().toString());
            if (in.read() >= 0) return "has a corrupt " + METADATA + " (bytes after its end)";
        } catch (IOException | RuntimeException e) {
            return "has a corrupt or truncated " + METADATA + " (" + oneLine(e) + ")";
        }
        try {
            for (OperatorState op : metadata.getOperatorStates())
                for (OperatorSubtaskState sub : op.getStates()) {
                    for (OperatorStateHandle h : sub.getManagedOperatorState()) {
                        String file = fileProblem(h.getDelegateStateHandle());
                        if (file != null) return file;
                        String trainers = trainerProblem(h);
                        if (trainers != null) return trainers;
                    }
                    for (OperatorStateHandle h : sub.getRawOperatorState()) {
                        String file = fileProblem(h.getDelegateStateHandle());
                        if (file != null) return file;
                    }
                    for (KeyedStateHandle h : sub.getManagedKeyedState())
                        if (h instanceof KeyGroupsStateHandle k && fileProblem(k.getDelegateStateHandle()) != null) return fileProblem(k.getDelegateStateHandle());
                }
        } catch (IOException | RuntimeException e) {
            return "cannot be read (" + oneLine(e) + ")";
        }
        return null;
    }

    /** A state file that is missing or not of the size the metadata gives it. */
    private static String fileProblem(StreamStateHandle h) {
        if (!(h instanceof FileStateHandle f)) return null; // small states live in the metadata itself
        Path p = Path.of(f.getFilePath().toUri());
        try {
            if (!Files.isRegularFile(p)) return "names a state file that is missing (" + p.getFileName() + ")";
            long size = Files.size(p);
            if (size != f.getStateSize())
                return "has a truncated state file (" + p.getFileName() + ": " + size + " bytes, the metadata says " + f.getStateSize() + ")";
        } catch (IOException e) {
            return "has an unreadable state file (" + p.getFileName() + ": " + oneLine(e) + ")";
        }
        return null;
    }

    /** Every experiment's entry of the trainers' state decodes, checksum and all. */
    private static String trainerProblem(OperatorStateHandle h) throws IOException {
        OperatorStateHandle.StateMetaInfo info = null;
        for (Map.Entry<String, OperatorStateHandle.StateMetaInfo> e : h.getStateNameToPartitionOffsets().entrySet())
            if (e.getKey().equals(TrainerOperator.STATE_NAME)) info = e.getValue();
        if (info == null) return null;
        try (FSDataInputStream in = h.openInputStream()) {
            for (long offset : info.getOffsets()) {
                in.seek(offset);
                byte[] entry;
                try { // as BytePrimitiveArraySerializer wrote it: the length, then the bytes (a corrupt length must not allocate)
                    DataInputStream data = new DataInputStream(in);
                    int length = data.readInt();
                    if (length < 0 || length > h.getStateSize()) return "holds a corrupt experiment state (a length of " + length + " bytes)";
                    entry = new byte[length];
                    data.readFully(entry);
                } catch (IOException e) {
                    return "holds an unreadable experiment state (" + oneLine(e) + ")";
                }
                try {
                    RunnerState.decode(entry);
                } catch (RunnerState.CorruptState e) {
                    return "holds a corrupt experiment state (" + e.getMessage().replace("cannot restore experiment state: ", "") + ")";
                }
            }
        }
        return null;
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage();
        return (m == null || m.isBlank() ? e.getClass().getSimpleName() : m).lines().findFirst().orElse("").strip();
    }
}

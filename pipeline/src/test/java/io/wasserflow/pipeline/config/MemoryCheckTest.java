package io.wasserflow.pipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.nets.MemoryEstimate;
import io.wasserflow.pipeline.cli.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21, item 5: a config that cannot fit is refused in one line before anything starts (no
 * broker, no data, no job), measured against this JVM's own limit; one just under it trains.
 */
class MemoryCheckTest {
    static final String TOY = "data: {dataset: 8gaussians}\nexperiments:\n";

    /** A 3 x 512 toy experiment whose estimate is the given share of this JVM's limit, by its batch size (activations grow with it). */
    static String sized(double share) {
        long limit = MemoryCheck.offHeapLimit();
        double at1 = estimate(1), at2 = estimate(2), perSample = at2 - at1, fixed = at1 - perSample;
        long batch = (long) Math.ceil((share * limit - MemoryEstimate.JVM_OVERHEAD_BYTES - fixed) / perSample);
        return TOY + "  - {name: sized, constraint: gp, architecture: {mlp: {depth: 3, width: 512}}, batch_size: " + batch
                + ", publish: {norms_every: 0, histograms_every: 0, samples_every: 0}}\n";
    }

    static double estimate(long batch) {
        RunConfig c = RunConfig.parse(TOY + "  - {name: sized, constraint: gp, architecture: {mlp: {depth: 3, width: 512}}, batch_size: " + batch + "}\n");
        return MemoryEstimate.of(c.experiments().get(0), c.dataShape()).offHeapBytes();
    }

    static Cli.Outcome demo(Path tmp, String name, String yaml) throws Exception {
        Path file = tmp.resolve(name + ".yaml");
        Files.writeString(file, yaml);
        return Cli.capture("demo", "--config", file.toString(), "--steps", "1", "--workdir", tmp.resolve(name).toString());
    }

    static void assertRefusedBeforeAnythingStarts(Cli.Outcome o, Path workdir, String... mentions) {
        assertEquals(2, o.code(), o.toString());
        String line = o.err().strip();
        assertEquals(1, line.lines().count(), "one line: " + line);
        for (String m : mentions) assertTrue(line.contains(m), m + " in: " + line);
        assertFalse(Files.exists(workdir.resolve("kafka")), "no broker was started");
        assertFalse(o.out().contains("streaming"), "no data was streamed: " + o.out());
    }

    @Test
    void theIssuesConfigIsRefusedInOneLine(@TempDir Path tmp) throws Exception {
        Cli.Outcome o = demo(tmp, "huge", TOY + "  - {name: huge, architecture: {mlp: {depth: 64, width: 65536}}}\n");
        assertRefusedBeforeAnythingStarts(o, tmp.resolve("huge"), "config: experiments[0] (huge).architecture", "4,294,967,296 elements", "make the network narrower");
    }

    @Test
    void justOverThisJvmIsRefusedAndJustUnderTrains(@TempDir Path tmp) throws Exception {
        long limit = MemoryCheck.offHeapLimit();
        Cli.Outcome over = demo(tmp, "over", sized(1.05));
        assertRefusedBeforeAnythingStarts(over, tmp.resolve("over"), "config: experiments[0] (sized)", "needs about", MemoryEstimate.bytes(limit), "WASSERFLOW_JAVA_OPTS");
        // two experiments that fit alone refuse together
        Cli.Outcome together = demo(tmp, "together", sized(0.6) + sized(0.6).substring(TOY.length()).replace("name: sized", "name: sized2"));
        assertRefusedBeforeAnythingStarts(together, tmp.resolve("together"), "config: experiments: the 2 experiments need about", "together");

        Cli.Outcome under = demo(tmp, "under", sized(0.8));
        assertEquals(0, under.code(), under.toString());
        assertTrue(under.out().lines().anyMatch(l -> l.matches("sized +1 +5 .*")), under.out());
        System.out.printf(Locale.ROOT, "this JVM's limit %s; the config just under it trained one generator step%n", MemoryEstimate.bytes(limit));
    }
}

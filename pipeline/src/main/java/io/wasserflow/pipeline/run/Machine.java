package io.wasserflow.pipeline.run;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What decides a run's bits besides the code and the config (SPEC section 5): the processor and the
 * instruction sets its kernels dispatch on, the native library ND4J loaded, and its BLAS. The
 * manifest records it, `replay` compares it with the machine it runs on, and `bench` prints it
 * beside every figure.
 *
 * @param processor the model name /proc/cpuinfo gives, and the core count
 * @param instructionSets the extensions oneDNN and OpenBLAS choose their kernels by, as cpuinfo spells them
 * @param onednnIsa the instruction set oneDNN dispatches to on this processor, as oneDNN names it
 * @param libnd4j ND4J's version and the native variant JavaCPP loaded (e.g. linux-x86_64-onednn)
 * @param blas the BLAS library and its version
 * @param blasCore OpenBLAS's kernel family: forced by OPENBLAS_CORETYPE, else chosen from the processor
 */
public record Machine(String processor, String instructionSets, String onednnIsa, String libnd4j, String blas, String blasCore) {
    /** The extensions that pick kernels, in cpuinfo's spelling. */
    private static final List<String> KERNEL_FLAGS = List.of("sse4_1", "sse4_2", "avx", "fma", "avx2", "avx_vnni", "avx512f", "avx512dq", "avx512bw",
            "avx512vl", "avx512_vnni", "avx512_bf16", "avx512_fp16", "amx_tile", "amx_bf16", "amx_int8");

    private static volatile Machine here;

    /** This machine, as the loaded ND4J backend runs on it (loads the backend). */
    public static Machine here() {
        Machine m = here;
        if (m == null) here = m = probe();
        return m;
    }

    private static Machine probe() {
        List<String> cpuinfo = cpuinfo();
        Set<String> flags = cpuinfo.stream().filter(l -> l.startsWith("flags")).findFirst()
                .map(l -> Set.of(l.substring(l.indexOf(':') + 1).strip().split("\\s+"))).orElse(Set.of());
        List<String> kernelFlags = new ArrayList<>();
        for (String f : KERNEL_FLAGS) if (flags.contains(f)) kernelFlags.add(f);
        Nd4j.create(1); // loads the backend's natives, so JavaCPP can say which it loaded
        String core = System.getenv("OPENBLAS_CORETYPE");
        return new Machine(processorModel(cpuinfo), kernelFlags.isEmpty() ? "none" : String.join(" ", kernelFlags), onednnIsa(flags),
                "ND4J " + mavenVersion("org.nd4j", "nd4j-api") + " " + Nd4j.getBackend().getClass().getSimpleName() + " " + loadedVariant(),
                String.valueOf(Nd4j.getExecutioner().getEnvironmentInformation().get("blas.vendor")) + " " + mavenVersion("org.bytedeco", "openblas"),
                core != null && !core.isBlank() ? core + " (OPENBLAS_CORETYPE)" : "chosen from the processor");
    }

    /** One line for benchmark output. */
    public String describe() {
        return processor + "; " + instructionSets + "; oneDNN ISA " + onednnIsa + "; " + libnd4j + "; " + blas + ", core " + blasCore;
    }

    /** The first fact that differs from {@code other}'s, as "what: X here, Y there"; null when none does. */
    public String firstDifference(Machine run) {
        String[][] pairs = {{"processor", processor, run.processor}, {"instruction sets", instructionSets, run.instructionSets},
                {"oneDNN ISA", onednnIsa, run.onednnIsa}, {"native library", libnd4j, run.libnd4j}, {"BLAS", blas, run.blas},
                {"BLAS core", blasCore, run.blasCore}};
        for (String[] p : pairs) if (!p[1].equals(p[2])) return p[0] + " differs: run used " + p[2] + ", this machine has " + p[1];
        return null;
    }

    /** The model name /proc/cpuinfo gives (the architecture where it names none), and the core count. */
    private static String processorModel(List<String> cpuinfo) {
        return cpuinfo.stream().filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst()
                .orElse(System.getProperty("os.arch")) + " (" + Runtime.getRuntime().availableProcessors() + " cores)";
    }

    private static List<String> cpuinfo() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.toList();
        } catch (IOException | UncheckedIOException e) {
            return List.of();
        }
    }

    /** oneDNN's rule for its best instruction set (cpu_isa_traits), from the processor's flags. */
    static String onednnIsa(Set<String> f) {
        boolean core = f.containsAll(List.of("avx512f", "avx512dq", "avx512bw", "avx512vl"));
        if (core && f.contains("amx_tile") && f.contains("amx_bf16")) return "avx512_core_amx";
        if (core && f.contains("avx512_bf16")) return "avx512_core_bf16";
        if (core && f.contains("avx512_vnni")) return "avx512_core_vnni";
        if (core) return "avx512_core";
        if (f.contains("avx2") && f.contains("avx_vnni")) return "avx2_vnni";
        if (f.contains("avx2")) return "avx2";
        if (f.contains("avx")) return "avx";
        return f.contains("sse4_1") ? "sse41" : "none";
    }

    /** The folder JavaCPP loaded libnd4j from names its variant: linux-x86_64, linux-x86_64-onednn, -avx512, ... */
    private static String loadedVariant() {
        for (Map.Entry<String, String> e : org.bytedeco.javacpp.Loader.getLoadedLibraries().entrySet()) {
            if (e.getKey().startsWith("nd4j") && e.getValue() != null) {
                Path p = Path.of(e.getValue()).getParent();
                return p == null ? e.getKey() : p.getFileName().toString();
            }
        }
        return "unknown variant";
    }

    private static String mavenVersion(String group, String artifact) {
        try (InputStream in = Machine.class.getResourceAsStream("/META-INF/maven/" + group + "/" + artifact + "/pom.properties")) {
            if (in == null) return "";
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "");
        } catch (IOException e) {
            return "";
        }
    }
}

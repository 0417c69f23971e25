package io.wasserflow.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.pipeline.cli.CudaCheck.Probe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4jBackend;

/**
 * The CUDA build's one line, from what its check found: the cause chains are the ones ND4J 1.0.0-M2.1
 * and JavaCPP 1.5.7 throw (the first as seen from the CUDA jar on a machine with neither driver nor
 * CUDA 11.6), the probe results as the machine would give them. Runs on the CPU build, where the check
 * itself says nothing.
 */
class CudaCheckTest {
    static final Set<String> NONE = Set.of();
    static final Set<String> EVERYTHING = new LinkedHashSet<>(List.of("libcuda.so.1", "libcudart.so.11.0", "libcublas.so.11", "libcublasLt.so.11", "libcusolver.so.11"));

    static UnsatisfiedLinkError notFound(String jni, String lib) {
        return new UnsatisfiedLinkError("/root/.javacpp/cache/wasserflow-cuda.jar/" + jni + ": " + lib + ": cannot open shared object file: No such file or directory");
    }

    static Probe failed(Throwable t, boolean devices, Set<String> notFound) {
        return new Probe(devices, notFound, t, -1, null, -1);
    }

    static Probe counted(int error, String name, int devices, boolean nodes) {
        return new Probe(nodes, NONE, null, error, name, devices);
    }

    static String line(Probe p) {
        Optional<String> m = CudaCheck.message(p);
        assertTrue(m.isPresent(), "no line for " + p);
        assertEquals(1, m.get().lines().count(), m.get());
        assertTrue(m.get().endsWith("; use the CPU build ./wasserflow"), m.get());
        return m.get();
    }

    @Test
    void aWorkingGpuSaysNothing() {
        assertEquals(Optional.empty(), CudaCheck.message(counted(0, "cudaSuccess", 1, true)));
        assertEquals(Optional.empty(), CudaCheck.message(new Probe(true, Set.of("libcusolver.so.11"), null, 0, null, 2)),
                "what loaded counts, not what the folders seem to hold");
    }

    @Test
    void noDriverAndNoRuntimeNamesBoth() {
        // as here: no /dev/nvidia*, no libcuda.so.1, a CUDA 13 in /usr/local but none of CUDA 11.6's libraries
        Probe p = failed(notFound("org/bytedeco/cuda/linux-x86_64/libjnicudart.so", "libcuda.so.1"), false, EVERYTHING);
        assertEquals("the CUDA build needs an NVIDIA GPU, its driver and the CUDA 11.6 runtime (no NVIDIA driver: libcuda.so.1 not found, "
                + "no /dev/nvidia* device; no CUDA 11.6 runtime: libcudart.so.11.0, libcublas.so.11, libcublasLt.so.11, libcusolver.so.11 not found); "
                + "use the CPU build ./wasserflow", line(p));
    }

    @Test
    void noDriverWithTheRuntimeInstalled() {
        Probe p = failed(notFound("org/bytedeco/cuda/linux-x86_64/libjnicudart.so", "libcuda.so.1"), false, Set.of("libcuda.so.1"));
        assertEquals("the CUDA build needs an NVIDIA GPU and its driver (no NVIDIA driver: libcuda.so.1 not found, no /dev/nvidia* device); "
                + "use the CPU build ./wasserflow", line(p));
        // a container given the GPU's device but not the driver's libraries
        Probe q = failed(notFound("org/bytedeco/cuda/linux-x86_64/libjnicudart.so", "libcuda.so.1"), true, Set.of("libcuda.so.1"));
        assertEquals("the CUDA build needs an NVIDIA GPU and its driver (no NVIDIA driver: libcuda.so.1 not found); use the CPU build ./wasserflow", line(q));
    }

    @Test
    void aDriverWithoutTheRuntime() {
        // the linker found libcuda.so.1 (it stops at the first library it misses), even where the folders show none: trust it
        Probe p = failed(notFound("org/bytedeco/cuda/linux-x86_64/libjnicudart.so", "libcudart.so.11.0"), true,
                new LinkedHashSet<>(List.of("libcuda.so.1", "libcudart.so.11.0", "libcublas.so.11")));
        assertEquals("the CUDA build needs the CUDA 11.6 runtime (libcudart.so.11.0, libcublas.so.11 not found); use the CPU build ./wasserflow", line(p));
    }

    @Test
    void aPartRuntimeNamesWhatLibnd4jcudaMisses() {
        // cudart and cublas loaded; ND4J's own library links cuSOLVER too
        Probe p = failed(notFound("org/nd4j/linalg/jcublas/bindings/linux-x86_64/libjnind4jcuda.so", "libcusolver.so.11"), true, NONE);
        assertEquals("the CUDA build needs the CUDA 11.6 runtime (libcusolver.so.11 not found); use the CPU build ./wasserflow", line(p));
    }

    @Test
    void aSecondTryHasOnlyTheFoldersToGoBy() {
        // a class whose initialiser failed once says only this the next time
        Probe p = failed(new NoClassDefFoundError("Could not initialize class org.bytedeco.cuda.global.cudart"), false, EVERYTHING);
        assertTrue(line(p).startsWith("the CUDA build needs an NVIDIA GPU, its driver and the CUDA 11.6 runtime (no NVIDIA driver: libcuda.so.1 not found"), line(p));
        Probe q = failed(new NoClassDefFoundError("Could not initialize class org.bytedeco.cuda.global.cudart"), true, NONE);
        assertEquals("the CUDA backend failed to load (NoClassDefFoundError: Could not initialize class org.bytedeco.cuda.global.cudart); "
                + "use the CPU build ./wasserflow", line(q));
    }

    @Test
    void whatCudaSaysWhenEverythingLoaded() {
        assertEquals("the CUDA build needs an NVIDIA driver for CUDA 11.6 or newer (cudaGetDeviceCount: cudaErrorInsufficientDriver); use the CPU build ./wasserflow",
                line(counted(35, "cudaErrorInsufficientDriver", 0, true)));
        assertEquals("the CUDA build needs an NVIDIA GPU (cudaGetDeviceCount: cudaErrorNoDevice, no /dev/nvidia* device); use the CPU build ./wasserflow",
                line(counted(100, "cudaErrorNoDevice", 0, false)));
        assertEquals("the CUDA build needs an NVIDIA GPU (cudaGetDeviceCount: 0 devices); use the CPU build ./wasserflow", line(counted(0, "cudaSuccess", 0, true)));
        assertEquals("the CUDA build could not start CUDA (cudaGetDeviceCount: error 999); use the CPU build ./wasserflow", line(counted(999, null, 0, true)));
    }

    @Test
    void anythingElseIsNamedAsItCame() {
        assertEquals("the CUDA backend failed to load (UnsatisfiedLinkError: /x/libjnicudart.so: /usr/lib/libcudart.so.11.0: undefined symbol: cudaFoo); "
                        + "use the CPU build ./wasserflow",
                line(failed(new UnsatisfiedLinkError("/x/libjnicudart.so: /usr/lib/libcudart.so.11.0: undefined symbol: cudaFoo"), true, NONE)));
        assertEquals("the CUDA backend failed to load (IllegalStateException: boom); use the CPU build ./wasserflow",
                line(failed(new RuntimeException(new IllegalStateException("boom")), true, EVERYTHING)));
    }

    @Test
    void libraryNamesComeOutOfTheCauseChain() {
        Throwable t = new RuntimeException("wrapped", new ExceptionInInitializerError(notFound("libjnicublas.so", "libcublasLt.so.11")));
        assertEquals(List.of("libcublasLt.so.11"), CudaCheck.missingLibraries(t));
        assertEquals(List.of(), CudaCheck.missingLibraries(new RuntimeException("no such thing")));
        assertTrue(CudaCheck.driverLibrary("libcuda.so.1") && CudaCheck.driverLibrary("libnvidia-ptxjitcompiler.so.1"));
        assertFalse(CudaCheck.driverLibrary("libcudart.so.11.0") || CudaCheck.driverLibrary("libcublas.so.11"));
    }

    @Test
    void nd4jBackendFailuresAreRecognised() {
        // the first use of Nd4j, and every one after it
        Throwable first = new ExceptionInInitializerError(new RuntimeException(new Nd4jBackend.NoAvailableBackendException("Please ensure that you have an nd4j backend")));
        Throwable later = new RuntimeException("job failed", new NoClassDefFoundError("Could not initialize class org.nd4j.linalg.factory.Nd4j"));
        assertTrue(CudaCheck.backendFailure(first));
        assertTrue(CudaCheck.backendFailure(later));
        assertFalse(CudaCheck.backendFailure(new NoClassDefFoundError("Could not initialize class org.example.Other")));
        assertFalse(CudaCheck.backendFailure(new IllegalStateException("boom")));
    }

    @Test
    void theCpuBuildIsNeverChecked() {
        assertFalse(CudaCheck.cudaBuild(), "the tests run on the CPU build");
        assertEquals(Optional.empty(), CudaCheck.problem());
        assertEquals(Optional.empty(), CudaCheck.explain(new NoClassDefFoundError("Could not initialize class org.nd4j.linalg.factory.Nd4j")));
    }

    @Test
    void libraryFoldersAndDevices(@TempDir Path dir) throws Exception {
        Path d = Files.createDirectories(dir.resolve("ld.so.conf.d"));
        Files.writeString(dir.resolve("ld.so.conf"), "# comment\ninclude ld.so.conf.d/*.conf\n/opt/first\n");
        Files.writeString(d.resolve("b.conf"), "/opt/b   # trailing\n");
        Files.writeString(d.resolve("a.conf"), "/opt/a\n\n");
        Files.writeString(d.resolve("ignored.txt"), "/opt/not\n");
        Set<Path> dirs = new LinkedHashSet<>();
        CudaCheck.readLdConf(dir.resolve("ld.so.conf"), dirs, 0);
        assertEquals(List.of(Path.of("/opt/a"), Path.of("/opt/b"), Path.of("/opt/first")), List.copyOf(dirs));

        Path dev = Files.createDirectories(dir.resolve("dev"));
        Files.createFile(dev.resolve("nvidiactl"));
        assertFalse(CudaCheck.hasDeviceNodes(dev), "the control node alone is no GPU");
        Files.createFile(dev.resolve("nvidia0"));
        assertTrue(CudaCheck.hasDeviceNodes(dev));
        assertFalse(CudaCheck.hasDeviceNodes(dir.resolve("absent")));
    }
}

package io.wasserflow.pipeline.cli;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CUDA build's check before ND4J starts. Without an NVIDIA GPU, its driver or the CUDA 11.6
 * runtime, ND4J's CUDA backend prints a stack trace, logs that it skipped itself, and every use of
 * ND4J fails after it ("Please ensure that you have an nd4j backend on your classpath", then "Could
 * not initialize class org.nd4j.linalg.factory.Nd4j"). {@link #problem()} does first what the backend
 * does first ({@code JCublasBackend.canRun}: JavaCPP's cudart bindings, the device count, the cublas
 * bindings), then loads ND4J's own CUDA library, and turns the first failure into one line that
 * names what is missing.
 *
 * <p>Backend-neutral: every CUDA class is named by a string, so this compiles and runs on the CPU
 * build, where the CUDA backend class is absent and the check says nothing. {@link #message} is the
 * mapping from what was found to the line, a pure function (CudaCheckTest).
 */
final class CudaCheck {
    private CudaCheck() {}

    /** ND4J's CUDA backend: on the class path in the CUDA build only. */
    static final String BACKEND = "org.nd4j.linalg.jcublas.JCublasBackend";
    /** Loaded in this order, as the backend loads them: JavaCPP's CUDA runtime and cuBLAS bindings, then libnd4jcuda.so. */
    static final String CUDART = "org.bytedeco.cuda.global.cudart", CUBLAS = "org.bytedeco.cuda.global.cublas",
            ND4J_CUDA = "org.nd4j.linalg.jcublas.bindings.Nd4jCuda";
    /** The NVIDIA driver's library, which the CUDA runtime calls. */
    static final String DRIVER = "libcuda.so.1";
    /** The CUDA 11.6 libraries that the bindings and libnd4jcuda.so link (their NEEDED entries). No cuDNN. */
    static final List<String> RUNTIME = List.of("libcudart.so.11.0", "libcublas.so.11", "libcublasLt.so.11", "libcusolver.so.11");
    /** The CUDA runtime API's codes that say what is wrong. */
    static final int CUDA_SUCCESS = 0, CUDA_ERROR_INSUFFICIENT_DRIVER = 35, CUDA_ERROR_NO_DEVICE = 100;
    static final String ADVICE = "; use the CPU build ./wasserflow";

    /**
     * What the check found. {@code failure}: what loading threw (null: everything loaded);
     * {@code cudaError}/{@code devices}: cudaGetDeviceCount's answer (-1 when it was not reached);
     * {@code notFound}: the libraries of {@link #DRIVER} and {@link #RUNTIME} that no library folder holds.
     */
    record Probe(boolean deviceNodes, Set<String> notFound, Throwable failure, int cudaError, String cudaErrorName, int devices) {}

    private static final Object LOCK = new Object();
    private static Optional<String> checked;

    /** Whether this is the CUDA build: the backend's class is present (looked up, not loaded). */
    static boolean cudaBuild() {
        try {
            Class.forName(BACKEND, false, CudaCheck.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Empty on the CPU build and where CUDA works; else the one line that says what is missing. Checked once a process. */
    static Optional<String> problem() {
        synchronized (LOCK) {
            if (checked == null) checked = cudaBuild() ? message(probe()) : Optional.empty();
            return checked;
        }
    }

    /**
     * For a failure that got past the check (ND4J failed anyway, on a path the check did not precede):
     * the line, when this is the CUDA build and the failure is ND4J's backend not loading.
     */
    static Optional<String> explain(Throwable t) {
        if (!backendFailure(t) || !cudaBuild()) return Optional.empty();
        Optional<String> line = problem();
        return line.isPresent() ? line : Optional.of("the CUDA backend failed to load (" + rootMessage(t) + ")" + ADVICE);
    }

    static boolean backendFailure(Throwable t) {
        for (Throwable c : chain(t)) {
            String m = String.valueOf(c.getMessage());
            // the first use of ND4J: ExceptionInInitializerError <- RuntimeException <- NoAvailableBackendException; every later one: NoClassDefFoundError
            if (c.getClass().getName().equals("org.nd4j.linalg.factory.Nd4jBackend$NoAvailableBackendException")
                    || c instanceof NoClassDefFoundError && m.contains("org.nd4j.linalg.factory.Nd4j"))
                return true;
        }
        return false;
    }

    /** Loads what the CUDA backend loads first, in its order, and looks for the libraries it needs. */
    static Probe probe() {
        ClassLoader loader = CudaCheck.class.getClassLoader();
        Throwable failure = null;
        int error = -1, devices = -1;
        String errorName = null;
        try {
            Class<?> cudart = Class.forName(CUDART, true, loader);
            int[] count = {0};
            error = (Integer) cudart.getMethod("cudaGetDeviceCount", int[].class).invoke(null, (Object) count);
            devices = count[0];
            errorName = errorName(cudart, error);
            if (error == CUDA_SUCCESS && devices > 0) {
                Class.forName(CUBLAS, true, loader);
                Class.forName(ND4J_CUDA, true, loader);
            }
        } catch (InvocationTargetException e) {
            failure = e.getCause();
        } catch (Throwable e) {
            failure = e;
        }
        // JavaCPP's cuda redist jar, where it is on the class path, brings the runtime: then only the driver is looked for
        boolean redist = loader.getResource("org/bytedeco/cuda/linux-x86_64/libcudart.so.11.0") != null;
        List<Path> dirs = libraryDirs();
        Set<String> notFound = new LinkedHashSet<>();
        for (String lib : redist ? List.of(DRIVER) : concat(DRIVER, RUNTIME))
            if (dirs.stream().noneMatch(d -> Files.exists(d.resolve(lib)))) notFound.add(lib);
        return new Probe(hasDeviceNodes(Path.of("/dev")), notFound, failure, error, errorName, devices);
    }

    /**
     * The line for what the probe found, or empty when CUDA works. What the loader could not find
     * comes first (the dynamic linker names one library, the first it missed); the library folders
     * add the others of the driver and the runtime, so the line names all that is missing at once.
     */
    static Optional<String> message(Probe p) {
        if (p.failure() == null && p.cudaError() == CUDA_SUCCESS && p.devices() > 0) return Optional.empty();
        if (p.failure() != null) {
            List<String> named = missingLibraries(p.failure());
            if (named.isEmpty() && !linkFailure(p.failure()))
                return Optional.of("the CUDA backend failed to load (" + rootMessage(p.failure()) + ")" + ADVICE);
            Set<String> missing = new LinkedHashSet<>(named);
            // the linker stops at the first library it misses, and the bindings link the driver first:
            // a runtime library named alone means the driver was found, whatever the folders say
            boolean driverLoaded = !named.isEmpty() && named.stream().noneMatch(CudaCheck::driverLibrary);
            for (String lib : p.notFound()) if (!(driverLoaded && driverLibrary(lib))) missing.add(lib);
            List<String> driver = select(missing, CudaCheck::driverLibrary), runtime = select(missing, l -> !driverLibrary(l));
            if (driver.isEmpty() && runtime.isEmpty())
                return Optional.of("the CUDA backend failed to load (" + rootMessage(p.failure()) + ")" + ADVICE);
            List<String> facts = new ArrayList<>();
            if (!driver.isEmpty()) facts.add("no NVIDIA driver: " + String.join(", ", driver) + " not found" + (p.deviceNodes() ? "" : ", no /dev/nvidia* device"));
            if (!runtime.isEmpty()) facts.add((driver.isEmpty() ? "" : "no CUDA 11.6 runtime: ") + String.join(", ", runtime) + " not found");
            String needs = driver.isEmpty() ? "the CUDA 11.6 runtime" : runtime.isEmpty() ? "an NVIDIA GPU and its driver" : "an NVIDIA GPU, its driver and the CUDA 11.6 runtime";
            return Optional.of("the CUDA build needs " + needs + " (" + String.join("; ", facts) + ")" + ADVICE);
        }
        String said = "cudaGetDeviceCount: " + (p.cudaErrorName() != null ? p.cudaErrorName() : "error " + p.cudaError());
        if (p.cudaError() == CUDA_ERROR_INSUFFICIENT_DRIVER)
            return Optional.of("the CUDA build needs an NVIDIA driver for CUDA 11.6 or newer (" + said + ")" + ADVICE);
        if (p.cudaError() == CUDA_ERROR_NO_DEVICE || p.cudaError() == CUDA_SUCCESS)
            return Optional.of("the CUDA build needs an NVIDIA GPU (" + (p.cudaError() == CUDA_SUCCESS ? "cudaGetDeviceCount: 0 devices" : said)
                    + (p.deviceNodes() ? "" : ", no /dev/nvidia* device") + ")" + ADVICE);
        return Optional.of("the CUDA build could not start CUDA (" + said + (p.deviceNodes() ? "" : ", no /dev/nvidia* device") + ")" + ADVICE);
    }

    private static final Pattern NOT_FOUND = Pattern.compile("([A-Za-z0-9_.+-]+\\.so(?:\\.[0-9]+)*): cannot open shared object file");

    /** The libraries a cause chain says the dynamic linker could not find, in order. */
    static List<String> missingLibraries(Throwable t) {
        Set<String> out = new LinkedHashSet<>();
        for (Throwable c : chain(t)) {
            Matcher m = NOT_FOUND.matcher(String.valueOf(c.getMessage()));
            while (m.find()) out.add(m.group(1));
        }
        return List.copyOf(out);
    }

    /** A native library that did not load, or a class that could not initialise after one did not. */
    private static boolean linkFailure(Throwable t) {
        return chain(t).stream().anyMatch(c -> c instanceof UnsatisfiedLinkError || c instanceof NoClassDefFoundError);
    }

    /** The driver's libraries: libcuda and libnvidia-*; everything else CUDA's runtime. */
    static boolean driverLibrary(String lib) {
        return lib.startsWith("libcuda.so") || lib.startsWith("libnvidia-");
    }

    /** The folders the dynamic linker searches: LD_LIBRARY_PATH, /etc/ld.so.conf's, the system's, and libnd4jcuda.so's run path. */
    static List<Path> libraryDirs() {
        Set<Path> dirs = new LinkedHashSet<>();
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) for (String d : ld.split(":")) if (!d.isEmpty()) dirs.add(Path.of(d));
        readLdConf(Path.of("/etc/ld.so.conf"), dirs, 0);
        for (String d : List.of("/lib64", "/usr/lib64", "/lib", "/usr/lib", "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/usr/local/cuda-11.6/lib64"))
            dirs.add(Path.of(d));
        return List.copyOf(dirs);
    }

    static void readLdConf(Path conf, Set<Path> dirs, int depth) {
        if (depth > 4 || !Files.isRegularFile(conf)) return;
        try {
            for (String line : Files.readAllLines(conf)) {
                line = line.replaceFirst("#.*", "").trim();
                if (line.isEmpty()) continue;
                if (line.startsWith("include ")) {
                    Path glob = conf.resolveSibling(line.substring("include ".length()).trim());
                    if (glob.getParent() == null || !Files.isDirectory(glob.getParent())) continue;
                    try (DirectoryStream<Path> files = Files.newDirectoryStream(glob.getParent(), glob.getFileName().toString())) {
                        List<Path> sorted = new ArrayList<>();
                        files.forEach(sorted::add);
                        sorted.sort(null);
                        for (Path f : sorted) readLdConf(f, dirs, depth + 1);
                    }
                } else if (line.startsWith("/")) {
                    dirs.add(Path.of(line));
                }
            }
        } catch (IOException | RuntimeException e) {
            // an unreadable file names no folder
        }
    }

    static boolean hasDeviceNodes(Path dev) {
        try (DirectoryStream<Path> nodes = Files.newDirectoryStream(dev, "nvidia[0-9]*")) {
            return nodes.iterator().hasNext();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static String errorName(Class<?> cudart, int error) {
        try {
            Object s = cudart.getMethod("cudaGetErrorName", int.class).invoke(null, error);
            if (s == null) return null;
            return s instanceof String str ? str : String.valueOf(s.getClass().getMethod("getString").invoke(s));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    private static List<Throwable> chain(Throwable t) {
        List<Throwable> out = new ArrayList<>();
        for (Throwable c = t; c != null && !out.contains(c) && out.size() < 50; c = c.getCause()) out.add(c);
        return out;
    }

    static String rootMessage(Throwable t) {
        List<Throwable> c = chain(t);
        Throwable root = c.get(c.size() - 1);
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getClass().getSimpleName() + ": " + root.getMessage().replaceAll("\\R", " ");
    }

    private static List<String> select(Set<String> libs, Predicate<String> keep) {
        return libs.stream().filter(keep).toList();
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> out = new ArrayList<>(List.of(first));
        out.addAll(rest);
        return out;
    }
}

package io.wasserflow.pipeline.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The benchmark's peer: the newest PyTorch this machine has, running benchmarks/torch_peer.py. A
 * torch wheel in a folder pip's configuration names (find-links) is installed once into a venv of
 * its own, without network; Debian's python3-torch is the fallback. PyTorch is never a dependency of
 * the product: without it the benchmark reports Wasserflow alone.
 */
final class TorchPeer {
    /** An interpreter with torch, and where it came from. */
    record Python(Path exe, String torch, String origin) {}

    /** One timed run of the peer. */
    record Run(double criticStepsPerSecond, double gflops, String libraries) {}

    static final Path DEBIAN = Path.of("/usr/bin/python3");
    private static final Pattern WHEEL = Pattern.compile("torch-([0-9][0-9.]*[^-]*)-(cp[0-9]+)-.*\\.whl");

    private final Path script;
    final Python python;

    private TorchPeer(Python python, Path script) {
        this.python = python;
        this.script = script;
    }

    /** The newest PyTorch found or made, or empty with the reason printed. */
    static Optional<TorchPeer> find(Path cache) throws IOException, InterruptedException {
        List<Python> found = new ArrayList<>();
        localWheelVenv(cache).ifPresent(found::add);
        torchOf(DEBIAN, "Debian's python3-torch").ifPresent(found::add);
        Optional<Python> best = found.stream().max(Comparator.comparing(p -> versionKey(p.torch())));
        if (best.isEmpty()) {
            System.out.println("peer: no PyTorch here (no torch wheel in pip's find-links folders, no python3-torch); "
                    + "install one (apt-get install python3-torch) or pass --peer none");
            return Optional.empty();
        }
        Path script = Files.createTempFile("wasserflow-torch-peer", ".py");
        script.toFile().deleteOnExit();
        try (InputStream in = TorchPeer.class.getResourceAsStream("/io/wasserflow/bench/torch_peer.py")) {
            if (in == null) throw new IOException("torch_peer.py is missing from the jar");
            Files.write(script, in.readAllBytes());
        }
        System.out.println("peer: PyTorch " + best.get().torch() + " (" + best.get().origin() + ", " + best.get().exe() + ")");
        return Optional.of(new TorchPeer(best.get(), script));
    }

    /** One timed run with OpenMP's wait policy {@code waitPolicy} (PASSIVE or ACTIVE); null when it failed. */
    Run run(String arch, String constraint, double seconds, double warmup, int threads, String waitPolicy) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(python.exe().toString(), script.toString(), "--arch", arch, "--constraint", constraint,
                "--threads", String.valueOf(threads), "--seconds", String.valueOf(seconds), "--warmup", String.valueOf(warmup), "--json")
                .redirectErrorStream(true);
        pb.environment().put("OMP_WAIT_POLICY", waitPolicy);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        Matcher rate = Pattern.compile("\"critic_steps_per_s\":\\s*([0-9.eE+-]+)").matcher(out);
        Matcher gf = Pattern.compile("\"gflops\":\\s*([0-9.eE+-]+)").matcher(out);
        Matcher libs = Pattern.compile("\"libraries\":\\s*\"([^\"]*)\"").matcher(out);
        if (code != 0 || !rate.find() || !gf.find()) {
            System.out.println("peer: PyTorch did not run (" + out.strip().lines().reduce((a, b) -> b).orElse("no output") + ")");
            return null;
        }
        return new Run(Double.parseDouble(rate.group(1)), Double.parseDouble(gf.group(1)), libs.find() ? libs.group(1) : "?");
    }

    /** The venv made from the newest local torch wheel for this python3, made now if it is missing. */
    private static Optional<Python> localWheelVenv(Path cache) throws IOException, InterruptedException {
        if (!Files.isExecutable(DEBIAN)) return Optional.empty();
        String tag = output(DEBIAN.toString(), "-c", "import sys; print(f'cp{sys.version_info[0]}{sys.version_info[1]}')").strip();
        PipConfig pip = PipConfig.read();
        List<String> versions = new ArrayList<>();
        for (Path dir : pip.findLinks()) {
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> files = Files.list(dir)) {
                files.map(f -> WHEEL.matcher(f.getFileName().toString())).filter(m -> m.matches() && m.group(2).equals(tag)).forEach(m -> versions.add(m.group(1)));
            }
        }
        Optional<String> wheel = versions.stream().max(Comparator.comparing(TorchPeer::versionKey));
        if (wheel.isEmpty()) return Optional.empty();
        Path venv = cache.resolve("torch-" + wheel.get().replaceAll("[^A-Za-z0-9.]", "_"));
        Path exe = venv.resolve("bin/python");
        Optional<Python> ready = Files.isExecutable(exe) ? torchOf(exe, "a venv from the local wheel") : Optional.empty();
        if (ready.isPresent()) return ready;
        System.out.println("peer: installing torch " + wheel.get() + " from " + pip.findLinks() + " into " + venv + " (once; no network; about two minutes)");
        Files.createDirectories(cache);
        List<String> install = new ArrayList<>(List.of(exe.toString(), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--retries", "0", "--timeout", "5"));
        install.addAll(pip.offlineIndexArguments());
        install.addAll(List.of("torch==" + wheel.get(), "numpy"));
        String done = output(DEBIAN.toString(), "-m", "venv", "--clear", venv.toString());
        done += output(install.toArray(String[]::new));
        ready = torchOf(exe, "a venv from the local wheel");
        if (ready.isEmpty()) System.out.println("peer: the venv could not install torch " + wheel.get() + ": " + done.strip().lines().reduce((a, b) -> b).orElse(""));
        return ready;
    }

    private static Optional<Python> torchOf(Path exe, String origin) throws IOException, InterruptedException {
        if (!Files.isExecutable(exe)) return Optional.empty();
        String v = output(exe.toString(), "-c", "import torch; print('torch=' + torch.__version__)");
        Matcher m = Pattern.compile("torch=(\\S+)").matcher(v);
        return m.find() ? Optional.of(new Python(exe, m.group(1), origin)) : Optional.empty();
    }

    /** "2.13.0+cpu" as a sortable key: each numeric part zero-padded. */
    static String versionKey(String v) {
        StringBuilder key = new StringBuilder();
        for (String part : v.split("[+]")[0].split("\\.")) key.append(String.format("%08d", part.matches("[0-9]+") ? Long.parseLong(part) : 0));
        return key.toString();
    }

    static String output(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(15, TimeUnit.MINUTES)) p.destroyForcibly();
        return out;
    }

    /** What pip's configuration (pip config list) says of where packages lie. */
    record PipConfig(List<Path> findLinks, List<String> indexUrls) {
        static PipConfig read() throws IOException, InterruptedException {
            List<Path> links = new ArrayList<>();
            List<String> indexes = new ArrayList<>();
            for (String line : output(DEBIAN.toString(), "-m", "pip", "config", "list").split("\n")) {
                int eq = line.indexOf('=');
                if (eq < 0) continue;
                String key = line.substring(0, eq), value = line.substring(eq + 1).strip().replaceAll("^'|'$", "");
                for (String v : value.split("\\s+")) {
                    if (v.isBlank()) continue;
                    if (key.endsWith("find-links") && !links.contains(Path.of(v))) links.add(Path.of(v));
                    if ((key.endsWith(".index-url") || key.endsWith(".extra-index-url")) && !indexes.contains(v)) indexes.add(v);
                }
            }
            return new PipConfig(links, indexes);
        }

        /** pip's arguments to install from the local folders alone: the file:// indexes in place of PyPI, or none. */
        List<String> offlineIndexArguments() {
            List<String> args = new ArrayList<>();
            List<String> local = indexUrls.stream().filter(u -> u.startsWith("file:")).toList();
            if (local.isEmpty()) args.add("--no-index");
            else {
                args.addAll(List.of("--index-url", local.get(0)));
                for (String u : local.subList(1, local.size())) args.addAll(List.of("--extra-index-url", u));
            }
            for (Path l : findLinks) args.addAll(List.of("--find-links", l.toString()));
            return args;
        }
    }
}

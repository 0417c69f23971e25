package io.wasserflow.pipeline.source;

import io.wasserflow.models.data.Toy2D;
import io.wasserflow.pipeline.cli.UsageException;
import java.io.IOException;
import java.nio.file.Path;

/** The datasets of SPEC §3 by name. */
public final class Datasets {
    private Datasets() {}

    public static final String[] NAMES = {"fashion-mnist", "shapes", "8gaussians", "25gaussians", "swissroll"};

    public static Dataset open(String name, Path dataDir, long seed) throws IOException {
        if (name.equals("fashion-mnist")) return FashionMnist.load(dataDir == null ? FashionMnist.DEFAULT_DIR : dataDir);
        if (name.equals("shapes")) return new Shapes(seed);
        Toy2D toy = Toy2D.byId(name);
        if (toy != null) return new ToyPoints(toy, seed);
        throw new UsageException("unknown dataset '" + name + "' (datasets: " + String.join(", ", NAMES) + ")");
    }

    public static boolean isToy(String name) {
        return Toy2D.byId(name) != null;
    }
}

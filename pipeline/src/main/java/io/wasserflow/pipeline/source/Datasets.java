package io.wasserflow.pipeline.source;

import io.wasserflow.models.data.Toy2D;
import io.wasserflow.pipeline.BadInputException;
import java.io.IOException;
import java.nio.file.Path;

/** The datasets of SPEC §3 by name. */
public final class Datasets {
    private Datasets() {}

    public static final String[] NAMES = {"fashion-mnist", "shapes", "8gaussians", "25gaussians", "swissroll"};

    /**
     * Opens a dataset by name. dataDir is Fashion-MNIST's folder (null: the Debian package's); seed
     * draws the generated sets (shapes, the toy points) and is ignored by Fashion-MNIST.
     */
    public static Dataset open(String name, Path dataDir, long seed) throws IOException {
        if (name == null) throw new BadInputException("no dataset named (datasets: " + String.join(", ", NAMES) + ")");
        if (name.equals("fashion-mnist")) return FashionMnist.load(dataDir == null ? FashionMnist.DEFAULT_DIR : dataDir);
        if (name.equals("shapes")) return new Shapes(seed);
        Toy2D toy = Toy2D.byId(name);
        if (toy != null) return new ToyPoints(toy, seed);
        throw new BadInputException("unknown dataset '" + name + "' (datasets: " + String.join(", ", NAMES) + ")");
    }

    /** The endless 2-D toy sets (float32 1x1x2 points). */
    public static boolean isToy(String name) {
        return name != null && Toy2D.byId(name) != null;
    }
}

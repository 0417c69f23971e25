package io.wasserflow.pipeline.source;

import io.wasserflow.models.data.Gaussian1D;
import io.wasserflow.models.data.Toy2D;
import io.wasserflow.pipeline.BadInputException;
import java.io.IOException;
import java.nio.file.Path;

/** The datasets of SPEC §3 by name, and the line's Gaussian of the WGAN paper's Figure 2. */
public final class Datasets {
    private Datasets() {}

    public static final String[] NAMES = {"fashion-mnist", "shapes", "8gaussians", "25gaussians", "swissroll", Gaussian1D.ID};

    /**
     * Opens a dataset by name. dataDir is Fashion-MNIST's folder (null: the Debian package's); seed
     * draws the generated sets (shapes, the toy points) and is ignored by Fashion-MNIST.
     */
    public static Dataset open(String name, Path dataDir, long seed) throws IOException {
        if (name == null) throw new BadInputException("no dataset named (datasets: " + String.join(", ", NAMES) + ")");
        if (name.equals("fashion-mnist")) return FashionMnist.load(dataDir == null ? FashionMnist.DEFAULT_DIR : dataDir);
        if (name.equals("shapes")) return new Shapes(seed);
        if (name.equals(Gaussian1D.ID)) return ToyPoints.line(seed);
        Toy2D toy = Toy2D.byId(name);
        if (toy != null) return new ToyPoints(toy, seed);
        throw new BadInputException("unknown dataset '" + name + "' (datasets: " + String.join(", ", NAMES) + ")");
    }

    /** The endless toy sets (float32 points: 1x1x2, or 1x1x1 on the line), which take SPEC §4's toy defaults. */
    public static boolean isToy(String name) {
        return name != null && (Toy2D.byId(name) != null || name.equals(Gaussian1D.ID));
    }

    /** The 1-D toy set, points on the line. */
    public static boolean isLine(String name) {
        return Gaussian1D.ID.equals(name);
    }

    /** One sample's [channels, height, width]: 2-D points [1, 1, 2], points on the line [1, 1, 1], images 28x28 grey. */
    public static long[] dataShape(String name) {
        if (isLine(name)) return new long[] {1, 1, 1};
        return isToy(name) ? new long[] {1, 1, 2} : new long[] {1, 28, 28};
    }
}

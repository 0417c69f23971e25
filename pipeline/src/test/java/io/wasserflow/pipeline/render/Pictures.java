package io.wasserflow.pipeline.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntPredicate;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.function.Executable;

/** Decodes rendered PNGs (keeping a copy in target/render-test/ for a human to look at) and reads their pixels. */
final class Pictures {
    static final Path DIR = Path.of("target", "render-test");

    private Pictures() {}

    static BufferedImage decode(byte[] png, String name) throws IOException {
        Files.createDirectories(DIR);
        Files.write(DIR.resolve(name), png);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertTrue(image != null, name + " decodes as an image");
        return image;
    }

    static int rgb(BufferedImage image, int x, int y) {
        return image.getRGB(x, y) & 0xffffff;
    }

    /** Whether rgb is within tolerance of c in every channel. */
    static boolean near(int rgb, Color c, int tolerance) {
        return Math.abs((rgb >> 16 & 0xff) - c.getRed()) <= tolerance && Math.abs((rgb >> 8 & 0xff) - c.getGreen()) <= tolerance
                && Math.abs((rgb & 0xff) - c.getBlue()) <= tolerance;
    }

    static IntPredicate near(Color c) {
        return rgb -> near(rgb, c, 8);
    }

    /** Corners of a figure are background. */
    static void assertWhiteBackground(BufferedImage image) {
        int w = image.getWidth() - 1, h = image.getHeight() - 1;
        for (int[] p : new int[][] {{0, 0}, {w, 0}, {0, h}, {w, h}, {w / 2, 1}, {1, h / 2}})
            assertEquals(0xffffff, rgb(image, p[0], p[1]), "background at " + p[0] + "," + p[1]);
    }

    /** Pixels of a colour in columns [x0, x1). */
    static int count(BufferedImage image, IntPredicate colour, int x0, int x1) {
        int n = 0;
        for (int x = x0; x < x1; x++) for (int y = 0; y < image.getHeight(); y++) if (colour.test(rgb(image, x, y))) n++;
        return n;
    }

    /** Mean row of the pixels of a colour in columns [x0, x1). */
    static double meanRow(BufferedImage image, IntPredicate colour, int x0, int x1) {
        double sum = 0;
        int n = 0;
        for (int x = x0; x < x1; x++)
            for (int y = 0; y < image.getHeight(); y++)
                if (colour.test(rgb(image, x, y))) {
                    sum += y;
                    n++;
                }
        assertTrue(n > 0, "colour found");
        return sum / n;
    }

    /** Bad input fails with an IllegalArgumentException whose message is one line. */
    static void assertRejected(Executable call, String expectedFragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertFalse(e.getMessage().contains("\n"), "one-line message: " + e.getMessage());
        assertTrue(e.getMessage().contains(expectedFragment), "'" + e.getMessage() + "' mentions '" + expectedFragment + "'");
    }
}

package io.wasserflow.pipeline.render;

import java.awt.image.BufferedImage;

/**
 * A grid of generated images as a PNG: the picture a researcher looks at first to judge a GAN.
 * Each image is scaled up by a whole factor (crisp pixels, no smoothing) so the grid is at least
 * {@value #MIN_WIDTH} px wide, with white gaps between images. Drawn by hand: a chart library
 * plots data on axes and has no grid of images.
 */
public final class SampleGrid {
    static final int MIN_WIDTH = 400, GAP = 2;
    /** NaN pixels: pure red cannot occur in a grey image and stands out in most colour ones. */
    static final int NAN_RGB = 0xff0000;

    private SampleGrid() {}

    /**
     * Renders count images, values row-major NCHW (count x channels x height x width), grey for
     * one channel and RGB for three, in [0, 1] (values outside are clamped, NaN drawn red),
     * columns images a row (fewer when there are fewer images).
     */
    public static byte[] png(float[] values, int count, int channels, int height, int width, int columns) {
        if (count < 1 || height < 1 || width < 1) throw new IllegalArgumentException("sample grid needs count, height and width >= 1, got " + count + "x" + channels + "x" + height + "x" + width);
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("sample grid draws 1 (grey) or 3 (RGB) channels, got " + channels);
        if (columns < 1) throw new IllegalArgumentException("sample grid needs columns >= 1, got " + columns);
        long expected = (long) count * channels * height * width;
        if (values == null || values.length != expected)
            throw new IllegalArgumentException("sample grid got " + (values == null ? "no" : values.length) + " values, expected " + expected + " for " + count + "x" + channels + "x" + height + "x" + width);
        int cols = Math.min(columns, count), rows = (count + cols - 1) / cols;
        int scale = Math.max(1, (int) Math.ceil((MIN_WIDTH - GAP * (cols + 1)) / (double) (cols * width)));
        int cellW = width * scale + GAP, cellH = height * scale + GAP;
        BufferedImage image = new BufferedImage(cols * cellW + GAP, rows * cellH + GAP, BufferedImage.TYPE_INT_RGB);
        Charts.canvas(image).dispose();
        int plane = height * width;
        for (int n = 0; n < count; n++) {
            int x0 = GAP + (n % cols) * cellW, y0 = GAP + (n / cols) * cellH, base = n * channels * plane;
            for (int i = 0; i < height; i++)
                for (int j = 0; j < width; j++) {
                    int rgb = 0;
                    for (int ch = 0; ch < 3; ch++) {
                        float v = values[base + (channels == 1 ? 0 : ch * plane) + i * width + j];
                        if (Float.isNaN(v)) {
                            rgb = NAN_RGB;
                            break;
                        }
                        rgb = rgb << 8 | Math.round(255 * Math.max(0f, Math.min(1f, v)));
                    }
                    for (int dy = 0; dy < scale; dy++)
                        for (int dx = 0; dx < scale; dx++) image.setRGB(x0 + j * scale + dx, y0 + i * scale + dy, rgb);
                }
        }
        return Charts.png(image);
    }
}

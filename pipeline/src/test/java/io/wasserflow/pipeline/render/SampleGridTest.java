package io.wasserflow.pipeline.render;

import static io.wasserflow.pipeline.render.Pictures.assertRejected;
import static io.wasserflow.pipeline.render.Pictures.decode;
import static io.wasserflow.pipeline.render.Pictures.rgb;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.pipeline.source.Dataset;
import io.wasserflow.pipeline.source.Shapes;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class SampleGridTest {
    @Test
    void everyPixelShowsItsGreyValueAndNaNIsRed() throws Exception {
        int count = 7, h = 5, w = 4, columns = 3;
        float[] v = new float[count * h * w];
        for (int i = 0; i < v.length; i++) v[i] = (i * 37 % 101) / 100f;
        v[5] = Float.NaN;
        v[6] = 1.7f;
        v[7] = -0.3f;
        BufferedImage image = decode(SampleGrid.png(v, count, 1, h, w, columns), "grid-pixels.png");

        assertTrue(image.getWidth() >= SampleGrid.MIN_WIDTH, "at least " + SampleGrid.MIN_WIDTH + " px wide: " + image.getWidth());
        int scale = (image.getWidth() - SampleGrid.GAP) / columns - SampleGrid.GAP;
        assertEquals(0, scale % w, "whole scale factor");
        scale /= w;
        int rows = (count + columns - 1) / columns;
        assertEquals(columns * (w * scale + SampleGrid.GAP) + SampleGrid.GAP, image.getWidth());
        assertEquals(rows * (h * scale + SampleGrid.GAP) + SampleGrid.GAP, image.getHeight());
        for (int n = 0; n < count; n++)
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++) {
                    float value = v[(n * h + i) * w + j];
                    int grey = Math.round(255 * Math.max(0, Math.min(1, value)));
                    int expected = Float.isNaN(value) ? 0xff0000 : grey << 16 | grey << 8 | grey;
                    int x = SampleGrid.GAP + n % columns * (w * scale + SampleGrid.GAP) + j * scale;
                    int y = SampleGrid.GAP + n / columns * (h * scale + SampleGrid.GAP) + i * scale;
                    assertEquals(expected, rgb(image, x, y), "image " + n + " pixel " + i + "," + j + " top left");
                    assertEquals(expected, rgb(image, x + scale - 1, y + scale - 1), "image " + n + " pixel " + i + "," + j + " bottom right");
                }
        assertEquals(0xffffff, rgb(image, 0, 0), "white margin");
        assertEquals(0xffffff, rgb(image, image.getWidth() - 1, image.getHeight() - 1), "the missing 9th image is left white");
    }

    @Test
    void rgbChannelsComeFromTheirPlanes() throws Exception {
        float[] v = {1, 0, 0, 0.5f, /* green */ 0, 1, 0, 0.5f, /* blue */ 0, 0, 1, 0.5f};
        BufferedImage image = decode(SampleGrid.png(v, 1, 3, 2, 2, 8), "grid-rgb.png");
        int scale = (image.getWidth() - 2 * SampleGrid.GAP) / 2, g = SampleGrid.GAP;
        assertEquals(0xff0000, rgb(image, g, g));
        assertEquals(0x00ff00, rgb(image, g + scale, g));
        assertEquals(0x0000ff, rgb(image, g, g + scale));
        assertEquals(0x808080, rgb(image, g + scale, g + scale));
    }

    @Test
    void shapesDatasetRendersAsAnEightByEightGrid() throws Exception {
        Dataset.Batch batch = new Shapes(7).next(64);
        float[] v = new float[batch.values().length];
        for (int i = 0; i < v.length; i++) v[i] = (batch.values()[i] & 0xff) / 255f;
        BufferedImage image = decode(SampleGrid.png(v, 64, 1, 28, 28, 8), "grid-shapes.png");
        assertEquals(image.getWidth(), image.getHeight(), "8 x 8 square images make a square grid");
        int cell = (image.getWidth() - SampleGrid.GAP) / 8, scale = (cell - SampleGrid.GAP) / 28, n = 9;
        int brightest = 0;
        for (int k = 1; k < 784; k++) if ((batch.values()[n * 784 + k] & 0xff) > (batch.values()[n * 784 + brightest] & 0xff)) brightest = k;
        int grey = batch.values()[n * 784 + brightest] & 0xff;
        int x = SampleGrid.GAP + n % 8 * cell + brightest % 28 * scale, y = SampleGrid.GAP + n / 8 * cell + brightest / 28 * scale;
        assertTrue(grey > 100, "the shape is drawn bright");
        assertEquals(grey << 16 | grey << 8 | grey, rgb(image, x, y), "image 9's brightest pixel");
    }

    @Test
    void badInputIsRejected() {
        assertRejected(() -> SampleGrid.png(new float[10], 2, 1, 2, 2, 4), "expected 8");
        assertRejected(() -> SampleGrid.png(new float[8], 2, 1, 2, 2, 0), "columns");
        assertRejected(() -> SampleGrid.png(new float[16], 2, 2, 2, 2, 4), "channels");
        assertRejected(() -> SampleGrid.png(new float[0], 0, 1, 2, 2, 4), "count");
    }
}

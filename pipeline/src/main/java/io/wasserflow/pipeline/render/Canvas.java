package io.wasserflow.pipeline.render;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.font.FontRenderContext;
import java.awt.font.LineMetrics;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * A white, antialiased RGB image with the house style of every figure: SansSerif fonts, the
 * Tableau 10 palette, and text placed by anchor. Off-screen only: figures are rendered on
 * TaskManagers and in the CLI, where there is no display.
 */
final class Canvas {
    static {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    /** Tableau 10, the default colour cycle of matplotlib: familiar to readers of ML papers. */
    static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
            new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};
    static final Color TEXT = new Color(0x222222), FRAME = new Color(0x444444), GRID = new Color(0xe3e3e3), MINOR_GRID = new Color(0xf3f3f3);
    static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16), LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 13),
            TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 11), SUPERSCRIPT = new Font(Font.SANS_SERIF, Font.PLAIN, 8),
            LEGEND = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final FontRenderContext FRC = new FontRenderContext(null, true, true);

    final BufferedImage image;
    final Graphics2D g;

    Canvas(int width, int height) {
        image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
    }

    static Color color(int i) {
        return PALETTE[i % PALETTE.length];
    }

    static double width(Font f, String s) {
        return s == null || s.isEmpty() ? 0 : f.getStringBounds(s, FRC).getWidth();
    }

    static double height(Font f) {
        LineMetrics m = f.getLineMetrics("Xg", FRC);
        return m.getAscent() + m.getDescent();
    }

    static double width(Axis.Tick t) {
        return width(TICK, t.text()) + width(SUPERSCRIPT, t.exponent());
    }

    /** Draws s so that the point (x, y) sits at the fraction (ax, ay) of its box: (0, 0) top left, (0.5, 0.5) centre. */
    void text(Font f, Color c, String s, double x, double y, double ax, double ay) {
        if (s == null || s.isEmpty()) return;
        LineMetrics m = f.getLineMetrics(s, FRC);
        g.setFont(f);
        g.setColor(c);
        g.drawString(s, (float) (x - ax * width(f, s)), (float) (y - ay * (m.getAscent() + m.getDescent()) + m.getAscent()));
    }

    /** Text turned a quarter left (read bottom to top), centred on (x, y): the y-axis label. */
    void verticalText(Font f, Color c, String s, double x, double y) {
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2, x, y);
        text(f, c, s, x, y, 0.5, 0.5);
        g.setTransform(saved);
    }

    /** A tick label anchored like {@link #text}, its exponent (if any) as a superscript. */
    void tick(Axis.Tick t, double x, double y, double ax, double ay) {
        double w = width(t), left = x - ax * w;
        text(TICK, TEXT, t.text(), left, y, 0, ay);
        if (t.exponent() != null) {
            double top = y - ay * height(TICK) - 0.2 * height(TICK);
            text(SUPERSCRIPT, TEXT, t.exponent(), left + width(TICK, t.text()), top, 0, 0);
        }
    }

    byte[] png() {
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException("PNG encoding failed", e); // in-memory stream: does not happen
        }
        return out.toByteArray();
    }

    /** Writes png to file, creating its folder. */
    static void write(byte[] png, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Files.write(file, png);
    }
}

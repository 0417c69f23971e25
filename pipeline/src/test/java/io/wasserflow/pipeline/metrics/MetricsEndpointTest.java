package io.wasserflow.pipeline.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The endpoint's port range, reference counting and sample grids, over real HTTP. */
class MetricsEndpointTest {
    private int base;

    @BeforeEach
    void freeRange() {
        base = freeBasePort();
        MetricsEndpoint.setBasePort(base);
    }

    @AfterEach
    void defaultRange() {
        MetricsEndpoint.setBasePort(0);
    }

    /** A base port whose whole range of {@link MetricsEndpoint#PORTS} ports is free now. */
    static int freeBasePort() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 60_000);
            try {
                for (ServerSocket s : bindAll(base, MetricsEndpoint.PORTS)) s.close();
                return base;
            } catch (IOException busy) {
                // some port of this range is in use: try another
            }
        }
        throw new AssertionError("no free range of " + MetricsEndpoint.PORTS + " ports");
    }

    private static List<ServerSocket> bindAll(int from, int n) throws IOException {
        List<ServerSocket> bound = new ArrayList<>();
        try {
            for (int p = from; p < from + n; p++) bound.add(new ServerSocket(p));
            return bound;
        } catch (IOException e) {
            for (ServerSocket s : bound) s.close();
            throw e;
        }
    }

    /** A GET on a new client, so no pooled connection outlives a closed endpoint. */
    static HttpResponse<byte[]> get(int port, String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void bindsTheBasePortWhenItIsFree() throws Exception {
        try (MetricsEndpoint endpoint = MetricsEndpoint.acquire()) {
            assertEquals(base, endpoint.port());
            assertEquals(200, get(base, "/metrics").statusCode());
        }
    }

    @Test
    void takesTheNextPortWhenTheBasePortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(base); MetricsEndpoint endpoint = MetricsEndpoint.acquire()) {
            assertEquals(base + 1, endpoint.port());
            assertEquals(200, get(base + 1, "/metrics").statusCode());
        }
    }

    @Test
    void failsNamingTheRangeWhenEveryPortIsTaken() throws Exception {
        List<ServerSocket> taken = bindAll(base, MetricsEndpoint.PORTS);
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, MetricsEndpoint::acquire);
            assertEquals("metrics endpoint: every port of " + base + "-" + (base + 9) + " is taken", e.getMessage());
        } finally {
            for (ServerSocket s : taken) s.close();
        }
        try (MetricsEndpoint endpoint = MetricsEndpoint.acquire()) { // the failure left nothing held
            assertEquals(base, endpoint.port());
        }
    }

    @Test
    void aMalformedPortPropertyIsRefusedNamingIt() {
        MetricsEndpoint.setBasePort(0);
        System.setProperty(MetricsEndpoint.PORT_PROPERTY, "94x64");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, MetricsEndpoint::acquire);
            assertEquals("wasserflow.metrics.port must be a port of 1-65526, got '94x64'", e.getMessage());
        } finally {
            System.clearProperty(MetricsEndpoint.PORT_PROPERTY);
        }
    }

    @Test
    void theLastReleaseClosesTheEndpoint() throws Exception {
        MetricsEndpoint first = MetricsEndpoint.acquire();
        MetricsEndpoint second = MetricsEndpoint.acquire();
        assertSame(first, second);
        first.release();
        assertEquals(200, get(base, "/metrics").statusCode(), "closed while a user still holds it");
        second.release();
        assertThrows(ConnectException.class, () -> get(base, "/metrics"));
        IllegalStateException e = assertThrows(IllegalStateException.class, first::release);
        assertEquals("metrics endpoint released more often than acquired", e.getMessage());
    }

    @Test
    void servesTheLatestSampleGridAsPngAnd404Otherwise() throws Exception {
        byte[] older = png(2), latest = png(3);
        try (MetricsEndpoint endpoint = MetricsEndpoint.acquire()) {
            endpoint.putPicture("samples", "run-1", "gp", older);
            endpoint.putPicture("samples", "run-1", "gp", latest);
            HttpResponse<byte[]> r = get(endpoint.port(), "/samples/run-1/gp.png");
            assertEquals(200, r.statusCode());
            assertEquals("image/png", r.headers().firstValue("Content-Type").orElse(""));
            assertArrayEquals(latest, r.body());
            assertEquals(3, ImageIO.read(new ByteArrayInputStream(r.body())).getWidth());
            assertEquals(404, get(endpoint.port(), "/samples/run-1/clip.png").statusCode());
            assertEquals(404, get(endpoint.port(), "/samples/run-2/gp.png").statusCode());
            assertEquals(404, get(endpoint.port(), "/samples/run-1/gp").statusCode());
            // the critic's landscape of 2-D data, beside the samples
            assertEquals(404, get(endpoint.port(), "/landscapes/run-1/gp.png").statusCode());
            endpoint.putPicture("landscapes", "run-1", "gp", older);
            assertArrayEquals(older, get(endpoint.port(), "/landscapes/run-1/gp.png").body());
            assertArrayEquals(latest, get(endpoint.port(), "/samples/run-1/gp.png").body());
        }
    }

    /** A real PNG of a width-by-width grey gradient. */
    private static byte[] png(int width) throws IOException {
        BufferedImage image = new BufferedImage(width, width, BufferedImage.TYPE_BYTE_GRAY);
        for (int x = 0; x < width; x++) image.getRaster().setSample(x, x, 0, 80 * x);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, "png", out));
        return out.toByteArray();
    }

    /**
     * Issue 21: loopback unless configured. The kernel's own table of listening sockets
     * (/proc/net/tcp and tcp6) says which address the port is bound to; no traffic leaves loopback.
     */
    @Test
    void listensOnLoopbackByDefaultAndOnAllInterfacesWhenConfigured() throws Exception {
        try (MetricsEndpoint endpoint = MetricsEndpoint.acquire()) {
            assertEquals("127.0.0.1", endpoint.address());
            assertEquals(java.util.Set.of("127.0.0.1"), listening(endpoint.port()));
            assertEquals(200, get(endpoint.port(), "/metrics").statusCode());
        }
        System.setProperty(MetricsEndpoint.BIND_PROPERTY, "0.0.0.0");
        try (MetricsEndpoint endpoint = MetricsEndpoint.acquire()) {
            assertEquals("0.0.0.0", endpoint.address());
            assertEquals(java.util.Set.of("0.0.0.0"), listening(endpoint.port()));
        } finally {
            System.clearProperty(MetricsEndpoint.BIND_PROPERTY);
        }
        System.setProperty(MetricsEndpoint.BIND_PROPERTY, "203.0.113.7"); // TEST-NET-3: no interface of this host
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, MetricsEndpoint::acquire);
            assertEquals("wasserflow.metrics.bind must be an address of this host (127.0.0.1, 0.0.0.0 for all interfaces, or an interface's), got '203.0.113.7'",
                    e.getMessage());
        } finally {
            System.clearProperty(MetricsEndpoint.BIND_PROPERTY);
        }
    }

    /** The local addresses with a socket listening on this port, from /proc/net/tcp (IPv4) and tcp6 (IPv6; :: and the mapped forms read as 0.0.0.0 or the IPv4 address). */
    static java.util.Set<String> listening(int port) throws Exception {
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            java.nio.file.Path p = java.nio.file.Path.of(table);
            if (!java.nio.file.Files.exists(p)) continue;
            for (String line : java.nio.file.Files.readAllLines(p).subList(1, java.nio.file.Files.readAllLines(p).size())) {
                String[] f = line.trim().split("\\s+");
                String[] local = f[1].split(":");
                if (!f[3].equals("0A") || Integer.parseInt(local[1], 16) != port) continue; // 0A: LISTEN
                String hex = local[0];
                if (hex.length() == 32) { // IPv6: the wildcard, or an IPv4-mapped address in its last 32 bits
                    if (hex.equals("00000000000000000000000000000000")) { out.add("0.0.0.0"); continue; }
                    hex = hex.substring(24);
                }
                long v = Long.parseLong(hex, 16); // little-endian bytes
                out.add((v & 0xff) + "." + ((v >> 8) & 0xff) + "." + ((v >> 16) & 0xff) + "." + ((v >> 24) & 0xff));
            }
        }
        return out;
    }
}

package io.wasserflow.pipeline.metrics;

import com.sun.net.httpserver.HttpExchange;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JVM's one Prometheus endpoint (SPEC §6), shared by every experiment in it: {@code /metrics}
 * for the series of its {@link PrometheusPublisher}, and {@code /samples/<run>/<experiment>.png}
 * for each experiment's latest sample grid, on one port. The first {@link #acquire()} starts it on
 * the first free port of 9464-9473 (the base is set by the system property
 * {@value #PORT_PROPERTY}); the last {@link #release()} closes it.
 * <p>
 * It listens on loopback unless told otherwise: nothing a local run serves is reachable from
 * another machine. The system property {@value #BIND_PROPERTY} (or the environment variable
 * {@value #BIND_ENV}; the flag {@code --metrics-bind} of demo and train sets the property) names
 * the address to bind, {@code 0.0.0.0} for all interfaces, as a cluster's TaskManagers need for
 * Prometheus to scrape them (docker-compose.yml sets it).
 */
public final class MetricsEndpoint implements AutoCloseable {
    /** SPEC §7: the metrics port, and the size of the range tried from it, 9464-9473. */
    public static final int DEFAULT_PORT = 9464, PORTS = 10;
    public static final String PORT_PROPERTY = "wasserflow.metrics.port", BIND_PROPERTY = "wasserflow.metrics.bind", BIND_ENV = "WASSERFLOW_METRICS_BIND";
    /** The address bound when none is named: loopback. */
    public static final String DEFAULT_BIND = "127.0.0.1";
    private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);

    private static MetricsEndpoint current;
    private static int users;
    private static int basePortOverride; // 0: the system property or the default

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusPublisher publisher = new PrometheusPublisher(registry);
    private final Map<String, byte[]> samples = new ConcurrentHashMap<>(); // by request path
    private final HTTPServer server;

    private final String address;

    private MetricsEndpoint(int base) {
        address = bindAddress();
        server = bind(base);
        String taken = port() == base ? "" : port() == base + 1 ? " (" + base + " taken)" : " (" + base + "-" + (port() - 1) + " taken)";
        LOG.info("Prometheus metrics at http://{}:{}/metrics{}", address, port(), taken);
    }

    /** The address this endpoint was bound to (127.0.0.1 unless configured). */
    public String address() {
        return address;
    }

    /** The configured address: the system property, else the environment variable, else loopback; refused in one line when it is no address of this host. */
    static String bindAddress() {
        String given = System.getProperty(BIND_PROPERTY);
        String source = BIND_PROPERTY;
        if (given == null || given.isBlank()) {
            given = System.getenv(BIND_ENV);
            source = BIND_ENV;
        }
        if (given == null || given.isBlank()) return DEFAULT_BIND;
        given = given.trim();
        if (given.equals("*")) return "0.0.0.0";
        try {
            java.net.InetAddress a = java.net.InetAddress.getByName(given);
            if (!a.isAnyLocalAddress() && java.net.NetworkInterface.getByInetAddress(a) == null)
                throw new IllegalArgumentException(source + " must be an address of this host (127.0.0.1, 0.0.0.0 for all interfaces, or an interface's), got '" + given + "'");
            return a.getHostAddress();
        } catch (java.net.UnknownHostException | java.net.SocketException e) {
            throw new IllegalArgumentException(source + " must be an address of this host (127.0.0.1, 0.0.0.0 for all interfaces, or an interface's), got '" + given + "'");
        }
    }

    /** The JVM's endpoint, started if no one holds it; every call needs a {@link #release()}. */
    public static synchronized MetricsEndpoint acquire() {
        if (current == null) current = new MetricsEndpoint(basePort());
        users++;
        return current;
    }

    /** Gives back one {@link #acquire()}; the last one closes the endpoint. */
    public void release() {
        synchronized (MetricsEndpoint.class) {
            if (current != this) throw new IllegalStateException("metrics endpoint released more often than acquired");
            if (--users == 0) {
                current = null;
                server.close();
            }
        }
    }

    @Override
    public void close() {
        release();
    }

    /** Sets the first port tried by the next start, over the system property; 0 restores it. For tests. */
    public static synchronized void setBasePort(int port) {
        if (port != 0) checkBase(port, String.valueOf(port));
        basePortOverride = port;
    }

    public int port() {
        return server.getPort();
    }

    public PrometheusPublisher publisher() {
        return publisher;
    }

    /** Serves {@code png} at {@code /<kind>/<run>/<experiment>.png} ({@code samples}, {@code landscapes}) until the next replaces it. */
    public void putPicture(String kind, String run, String experiment, byte[] png) {
        samples.put("/" + kind + "/" + run + "/" + experiment + ".png", png.clone());
    }

    private HTTPServer bind(int base) {
        for (int port = base; port < base + PORTS; port++) {
            try {
                return HTTPServer.builder().hostname(address).port(port).registry(registry).defaultHandler(this::serveSample).buildAndStart();
            } catch (BindException taken) {
                // try the next port of the range
            } catch (IOException e) {
                throw new UncheckedIOException("metrics endpoint on port " + port + ": " + e.getMessage(), e);
            }
        }
        throw new IllegalStateException("metrics endpoint: every port of " + base + "-" + (base + PORTS - 1) + " is taken");
    }

    /** Every path but /metrics and /-/healthy: a sample grid, or 404. */
    private void serveSample(HttpExchange exchange) throws IOException {
        try {
            boolean get = exchange.getRequestMethod().equals("GET");
            byte[] png = get || exchange.getRequestMethod().equals("HEAD") ? samples.get(exchange.getRequestURI().getPath()) : null;
            if (png == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", "image/png");
            exchange.getResponseHeaders().set("Cache-Control", "no-cache"); // the grid changes while it trains
            exchange.sendResponseHeaders(200, get ? png.length : -1);
            if (get) exchange.getResponseBody().write(png);
        } finally {
            exchange.close();
        }
    }

    private static int basePort() {
        if (basePortOverride != 0) return basePortOverride;
        String value = System.getProperty(PORT_PROPERTY);
        if (value == null) return DEFAULT_PORT;
        int port;
        try {
            port = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            port = -1;
        }
        return checkBase(port, value);
    }

    private static int checkBase(int port, String given) {
        if (port < 1 || port > 65536 - PORTS)
            throw new IllegalArgumentException(PORT_PROPERTY + " must be a port of 1-" + (65536 - PORTS) + ", got '" + given + "'");
        return port;
    }
}

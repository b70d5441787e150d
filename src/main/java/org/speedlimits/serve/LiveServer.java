package org.speedlimits.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.speedlimits.analysis.AnalysisException;
import org.speedlimits.analysis.NtkSpectrum;
import org.speedlimits.run.RunDirectory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The live view's HTTP server (the JDK's {@link HttpServer}): one page listing the runs and sweeps under a root folder,
 * and read-only JSON endpoints it polls. Read-only by construction: there is no handler that writes, and only GET and
 * HEAD are answered (405 otherwise). Every path in a request is resolved inside the root by {@link SafePath} (404
 * otherwise, also for a symlink out of the root). On a loopback address (the default) the Host header must name a
 * loopback host, so a web page elsewhere cannot read the runs through DNS rebinding. Memory per request is bounded:
 * metrics come in chunks of at most {@link CsvTail#MAX_MAX_BYTES}, files are streamed, and 4 threads serve.
 *
 * <pre>
 * GET /                              the page (index.html, app.js, style.css and the vendored uPlot under /static/)
 * GET /api/runs                      every run and sweep: state, progress, ETA, dynamics, engine
 * GET /api/metrics/RUN?offset=B&amp;file=ID&amp;max=BYTES   metrics.csv rows after byte B ({@link CsvTail})
 * GET /api/ntk/RUN                   the latest ntk/epoch_E.csv spectrum and the epochs present
 * GET /files/PATH[?tail=BYTES]       a file under the root as it is (the last BYTES bytes with tail)
 * </pre>
 * RUN and PATH are relative to the root, segments percent-encoded.
 */
public final class LiveServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LiveServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RESOURCES = "/org/speedlimits/serve/";
    /** The static files, by request path (a fixed table: no resource lookup by request text). */
    private static final Map<String, String[]> STATIC = Map.of(
            "/", new String[]{"index.html", "text/html; charset=utf-8"},
            "/static/app.js", new String[]{"app.js", "text/javascript; charset=utf-8"},
            "/static/style.css", new String[]{"style.css", "text/css; charset=utf-8"},
            "/static/vendor/uPlot.iife.min.js", new String[]{"vendor/uPlot.iife.min.js", "text/javascript; charset=utf-8"},
            "/static/vendor/uPlot.min.css", new String[]{"vendor/uPlot.min.css", "text/css; charset=utf-8"},
            "/static/vendor/uPlot.LICENSE", new String[]{"vendor/uPlot.LICENSE", "text/plain; charset=utf-8"});
    private static final Pattern NTK_CSV = Pattern.compile("epoch_(\\d+)\\.csv");
    private static final int COPY_BUFFER = 64 * 1024;

    private final Path root;
    private final HttpServer server;
    private final ExecutorService pool;
    private final RunIndex index;
    private final boolean loopback;
    private final Map<String, byte[]> resources = new HashMap<>();

    /**
     * Binds (does not start) a server for {@code root} on {@code bind}:{@code port} (0: a free port).
     *
     * @throws IOException when the root is not a folder or the address cannot be bound
     */
    public LiveServer(Path root, InetAddress bind, int port, Duration staleAfter) throws IOException {
        this.root = root.toRealPath();
        if (!Files.isDirectory(this.root)) {
            throw new IOException(root + " is not a folder");
        }
        for (String[] r : STATIC.values()) {
            try (InputStream in = LiveServer.class.getResourceAsStream(RESOURCES + r[0])) {
                if (in == null) {
                    throw new IllegalStateException("resource " + RESOURCES + r[0] + " is missing from the build");
                }
                resources.put(r[0], in.readAllBytes());
            }
        }
        this.index = new RunIndex(this.root, staleAfter, Duration.ofSeconds(2));
        this.loopback = bind.isLoopbackAddress();
        this.server = HttpServer.create(new InetSocketAddress(bind, port), 0);
        this.pool = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "serve");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", this::handle);
    }

    public void start() {
        server.start();
    }

    /** The bound address (the actual port when 0 was asked for). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    public Path root() {
        return root;
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            boolean head = method.equals("HEAD");
            if (!head && !method.equals("GET")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                send(ex, 405, "text/plain; charset=utf-8", bytes("405 method not allowed: read-only (GET, HEAD)\n"), head);
                return;
            }
            if (loopback && !loopbackHost(ex.getRequestHeaders().getFirst("Host"))) {
                send(ex, 403, "text/plain; charset=utf-8", bytes("403: on a loopback address only Host: localhost, "
                        + "127.0.0.1 or [::1] is served (see docs/serve.md)\n"), head);
                return;
            }
            String path = ex.getRequestURI().getRawPath();
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            try {
                route(ex, path, query, head);
            } catch (RuntimeException | IOException e) {
                LOG.warn("{} {}: {}", method, path, e.toString());
                if (ex.getResponseCode() == -1) { // nothing sent yet (else the client went away mid-reply)
                    send(ex, 500, "text/plain; charset=utf-8", bytes("500: " + e.getMessage() + "\n"), head);
                }
            }
        }
    }

    private void route(HttpExchange ex, String path, Map<String, String> query, boolean head) throws IOException {
        String[] fixed = STATIC.get(path);
        if (fixed != null) {
            ex.getResponseHeaders().set("Cache-Control", "no-cache");
            send(ex, 200, fixed[1], resources.get(fixed[0]), head);
        } else if (path.equals("/api/runs")) {
            json(ex, runs(index.snapshot()), head);
        } else if (path.startsWith("/api/metrics/")) {
            Optional<Path> file = SafePath.file(root, path.substring("/api/metrics/".length()) + "/" + RunDirectory.METRICS);
            if (file.isEmpty()) {
                notFound(ex, head);
                return;
            }
            long offset = number(query.get("offset"), 0);
            int max = (int) number(query.get("max"), CsvTail.DEFAULT_MAX_BYTES);
            json(ex, metrics(CsvTail.read(file.get(), offset, query.get("file"), max)), head);
        } else if (path.startsWith("/api/ntk/")) {
            Optional<Path> dir = SafePath.folder(root, path.substring("/api/ntk/".length()) + "/ntk");
            if (dir.isEmpty()) {
                notFound(ex, head);
                return;
            }
            json(ex, ntk(dir.get()), head);
        } else if (path.startsWith("/files/")) {
            Optional<Path> file = SafePath.file(root, path.substring("/files/".length()));
            if (file.isEmpty()) {
                notFound(ex, head);
                return;
            }
            file(ex, file.get(), number(query.get("tail"), -1), head);
        } else {
            notFound(ex, head);
        }
    }

    private ObjectNode runs(RunIndex.Snapshot s) {
        ObjectNode out = JSON.createObjectNode();
        out.put("root", root.toString());
        out.put("now", s.at().toString());
        out.put("truncated", s.truncated());
        ArrayNode runs = out.putArray("runs");
        for (RunIndex.Run r : s.runs()) {
            ObjectNode n = runs.addObject();
            n.put("path", r.path()).put("experiment", r.experiment()).put("sweep", r.sweep()).put("state", r.state())
                    .put("detail", r.detail()).put("dynamics", r.dynamics()).put("engine", r.engine())
                    .put("epoch", r.epoch()).put("epochs", r.epochs());
            number(n, "time", r.time());
            number(n, "horizon", r.horizon());
            number(n, "lr", r.lr());
            number(n, "progress", r.progress());
            number(n, "eta_seconds", r.etaSeconds());
            n.put("updated", r.updated()).put("last_write", r.lastWrite()).put("metrics_bytes", r.metricsBytes())
                    .put("has_ntk", r.hasNtk());
        }
        ArrayNode sweeps = out.putArray("sweeps");
        for (RunIndex.SweepFolder f : s.sweeps()) {
            ObjectNode n = sweeps.addObject().put("path", f.path()).put("name", f.name()).put("tasks", f.tasks());
            ObjectNode counts = n.putObject("counts");
            f.counts().forEach(counts::put);
        }
        return out;
    }

    private static ObjectNode metrics(CsvTail.Chunk c) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode header = out.putArray("header");
        c.header().forEach(header::add);
        ArrayNode rows = out.putArray("rows");
        for (double[] row : c.rows()) {
            ArrayNode r = rows.addArray();
            for (double v : row) {
                if (Double.isFinite(v)) {
                    r.add(v);
                } else {
                    r.addNull(); // empty cell (not measured); JSON has no NaN
                }
            }
        }
        out.put("offset", c.offset()).put("next", c.next()).put("skipped", c.skipped()).put("reset", c.reset())
                .put("size", c.size()).put("file", c.fileId()).put("more", c.more());
        return out;
    }

    /** The newest ntk/epoch_E.csv as columns, and every epoch with a spectrum. */
    private ObjectNode ntk(Path dir) throws IOException {
        TreeMap<Long, Path> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            list.forEach(p -> {
                Matcher m = NTK_CSV.matcher(p.getFileName().toString());
                if (m.matches() && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    files.put(Long.parseLong(m.group(1)), p);
                }
            });
        }
        ObjectNode out = JSON.createObjectNode();
        ArrayNode epochs = out.putArray("epochs");
        files.keySet().forEach(epochs::add);
        if (files.isEmpty()) {
            return out;
        }
        Map.Entry<Long, Path> latest = files.lastEntry();
        out.put("epoch", latest.getKey());
        try {
            NtkSpectrum s = NtkSpectrum.read(latest.getValue(), latest.getKey());
            ArrayNode lambda = out.putArray("eigenvalue");
            ArrayNode overlap = out.putArray("overlap");
            for (int k = 0; k < s.size(); k++) {
                lambda.add(s.eigenvalue()[k]);
                overlap.add(s.overlap()[k]);
            }
        } catch (AnalysisException e) {
            out.put("error", e.getMessage()); // e.g. being written: the page says so and asks again later
        }
        return out;
    }

    private void file(HttpExchange ex, Path file, long tail, boolean head) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            long from = tail >= 0 ? Math.max(0, size - tail) : 0;
            long length = size - from; // a file that grows meanwhile is sent as it was when opened
            ex.getResponseHeaders().set("Content-Type", contentType(file));
            headers(ex.getResponseHeaders());
            if (head) {
                ex.getResponseHeaders().set("Content-Length", Long.toString(length));
                ex.sendResponseHeaders(200, -1);
                return;
            }
            ex.sendResponseHeaders(200, length == 0 ? -1 : length);
            OutputStream out = ex.getResponseBody();
            ByteBuffer buf = ByteBuffer.allocate(COPY_BUFFER);
            long pos = from;
            while (pos < size) {
                buf.clear().limit((int) Math.min(COPY_BUFFER, size - pos));
                int r = ch.read(buf, pos);
                if (r <= 0) {
                    break;
                }
                out.write(buf.array(), 0, r);
                pos += r;
            }
            if (pos < size) { // the file shrank while it was sent: pad, the declared length must be kept
                out.write(new byte[(int) Math.min(Integer.MAX_VALUE, size - pos)]);
            }
        }
    }

    private static String contentType(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".png")) return "image/png";
        if (name.endsWith(".svg")) return "image/svg+xml";
        if (name.endsWith(".json")) return "application/json; charset=utf-8";
        if (name.endsWith(".csv") || name.endsWith(".log") || name.endsWith(".yaml") || name.endsWith(".txt")
                || name.endsWith(".md") || name.endsWith(".tsv") || name.endsWith(".out")) {
            return "text/plain; charset=utf-8";
        }
        return "application/octet-stream";
    }

    private static void json(HttpExchange ex, ObjectNode body, boolean head) throws IOException {
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        send(ex, 200, "application/json; charset=utf-8", JSON.writeValueAsBytes(body), head);
    }

    private static void notFound(HttpExchange ex, boolean head) throws IOException {
        send(ex, 404, "text/plain; charset=utf-8", bytes("404 not found\n"), head);
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body, boolean head) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        headers(ex.getResponseHeaders());
        if (head) {
            ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        ex.getResponseBody().write(body);
    }

    /** No sniffing, no framing, scripts only from this server (the page has no inline script), no referrer. */
    private static void headers(Headers h) {
        h.set("X-Content-Type-Options", "nosniff");
        h.set("X-Frame-Options", "DENY");
        h.set("Referrer-Policy", "no-referrer");
        h.set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                + "connect-src 'self'; frame-ancestors 'none'");
    }

    static boolean loopbackHost(String host) {
        if (host == null) {
            return false;
        }
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end > 0 && h.substring(1, end).equals("::1");
        }
        int colon = h.indexOf(':');
        String name = colon >= 0 ? h.substring(0, colon) : h;
        return name.equals("localhost") || name.equals("127.0.0.1") || name.matches("127(\\.\\d{1,3}){3}");
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            SafePath.decode(value).ifPresent(v -> out.put(key, v));
        }
        return out;
    }

    private static long number(String text, long fallback) {
        if (text == null || text.isEmpty()) {
            return fallback;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static void number(ObjectNode n, String key, double v) {
        if (Double.isFinite(v)) {
            n.put(key, v);
        } else {
            n.putNull(key);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** For tests: the request paths of the static files. */
    static List<String> staticPaths() {
        return List.copyOf(STATIC.keySet());
    }
}

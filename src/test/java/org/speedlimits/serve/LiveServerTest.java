package org.speedlimits.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.speedlimits.run.RunStatus;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server over real HTTP on an ephemeral loopback port, with requests written byte for byte on a socket (so no
 * client library normalises {@code ..} away first): the page and its scripts, the run list, incremental metrics,
 * refusal of traversal, of symlinks out of the root, of write methods and of foreign Host headers.
 */
class LiveServerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path tmp;
    Path root;
    Path run;
    LiveServer server;

    /** Status, header lines in lower case (the JDK server writes its own capitalisation), body. */
    record Response(int status, String headers, String body) {
    }

    @BeforeEach
    void start() throws IOException {
        root = Files.createDirectories(tmp.resolve("outputs"));
        run = Files.createDirectories(root.resolve("quickstart/myrtle5-w8-n100-s0-abcd1234"));
        Files.writeString(run.resolve("config.yaml"), "experiment: quickstart\ntrain:\n  dynamics: flow\n  lr: 0.01\n  epochs: 100\n");
        Files.writeString(run.resolve("env.json"), "{\"gradient_engine\": \"onednn\"}\n");
        Files.writeString(run.resolve("metrics.csv"), "epoch,time,train_loss\n0,0.0,2.5\n10,0.1,2.0\n");
        RunStatus.write(run, RunStatus.DONE, 100, 100, 0);
        Path sweepRun = Files.createDirectories(root.resolve("sweeps/smoke/runs/fcn2-w4-n10-s0-00000000"));
        Files.writeString(root.resolve("sweeps/smoke/sweep.json"),
                "{\"sweep\": \"smoke\", \"grid\": {\"seed\": [0, 1], \"data.n_train\": [10, 20, 30]}}\n");
        Files.writeString(sweepRun.resolve("config.yaml"), "experiment: smoke\ntrain:\n  epochs: 60\n");
        RunStatus.write(sweepRun, RunStatus.INTERRUPTED, 30, 60, 75);
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "SECRET");
        Files.writeString(outside.resolve("metrics.csv"), "epoch,time\n0,SECRET\n");
        Files.createSymbolicLink(root.resolve("escape"), outside);
        Files.createSymbolicLink(root.resolve("secret.txt"), outside.resolve("secret.txt"));
        server = new LiveServer(root, InetAddress.getLoopbackAddress(), 0, Duration.ofMinutes(15));
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    Response request(String method, String rawPath, String host) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.address().getPort())) {
            OutputStream out = s.getOutputStream();
            out.write((method + " " + rawPath + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int split = text.indexOf("\r\n\r\n");
            String head = text.substring(0, split);
            return new Response(Integer.parseInt(head.split(" ")[1]), head.toLowerCase(java.util.Locale.ROOT),
                    text.substring(split + 4));
        }
    }

    Response get(String rawPath) throws IOException {
        return request("GET", rawPath, "127.0.0.1:" + server.address().getPort());
    }

    @Test
    void servesThePageAndItsVendoredScripts() throws IOException {
        Response page = get("/");
        assertEquals(200, page.status());
        assertTrue(page.body().contains("/static/vendor/uPlot.iife.min.js"), page.body());
        assertFalse(page.body().matches("(?s).*<script>.*"), "no inline script (the CSP forbids it)");
        assertTrue(page.headers().contains("content-security-policy: default-src 'self'"), page.headers());
        for (String p : LiveServer.staticPaths()) {
            Response r = get(p);
            assertEquals(200, r.status(), p);
            assertFalse(r.body().contains("http://") && p.endsWith(".js") && r.body().contains("cdn"), p + ": no CDN");
        }
        assertTrue(get("/static/vendor/uPlot.iife.min.js").body().contains("uPlot"));
        assertEquals(404, get("/static/../index.html").status());
        assertEquals(404, get("/static/app.js.bak").status());
    }

    @Test
    void listsRunsAndSweeps() throws IOException {
        JsonNode s = JSON.readTree(get("/api/runs").body());
        List<String> paths = new java.util.ArrayList<>();
        s.path("runs").forEach(r -> paths.add(r.path("path").asText()));
        assertEquals(List.of("quickstart/myrtle5-w8-n100-s0-abcd1234", "sweeps/smoke/runs/fcn2-w4-n10-s0-00000000"),
                paths.stream().sorted().toList(), "the runs, and no link out of the root followed");
        JsonNode q = s.path("runs").get(paths.indexOf("quickstart/myrtle5-w8-n100-s0-abcd1234"));
        assertEquals("done", q.path("state").asText());
        assertEquals("flow", q.path("dynamics").asText());
        assertEquals("onednn", q.path("engine").asText());
        assertEquals(10, q.path("epoch").asLong(), "epoch of the last metrics row");
        assertEquals(0.1, q.path("progress").asDouble(), 1e-12);
        assertEquals(1.0, q.path("horizon").asDouble(), 1e-12);
        JsonNode sweep = s.path("sweeps").get(0);
        assertEquals("smoke", sweep.path("name").asText());
        assertEquals(6, sweep.path("tasks").asLong(), "2 x 3 grid points");
        assertEquals(1, sweep.path("counts").path("interrupted").asInt());
        JsonNode sr = s.path("runs").get(paths.indexOf("sweeps/smoke/runs/fcn2-w4-n10-s0-00000000"));
        assertEquals("smoke", sr.path("sweep").asText());
        assertEquals("gd", sr.path("dynamics").asText(), "no train.dynamics: gd, the default");
    }

    @Test
    void metricsComeIncrementally() throws IOException {
        String base = "/api/metrics/quickstart/myrtle5-w8-n100-s0-abcd1234";
        JsonNode a = JSON.readTree(get(base + "?offset=0").body());
        assertEquals(2, a.path("rows").size());
        assertEquals(Files.size(run.resolve("metrics.csv")), a.path("next").asLong());
        Files.writeString(run.resolve("metrics.csv"), "20,0.2,1.5\n21,0.21", StandardOpenOption.APPEND);
        Response r = get(base + "?offset=" + a.path("next").asLong() + "&file=" + a.path("file").asText());
        JsonNode b = JSON.readTree(r.body());
        assertEquals(1, b.path("rows").size(), "the new complete row only");
        assertEquals(20, b.path("rows").get(0).get(0).asInt());
        assertFalse(b.path("reset").asBoolean());
        assertTrue(r.body().length() < 400, "a small reply for a small increment: " + r.body().length());
        assertEquals(404, get("/api/metrics/quickstart/missing-run").status());
    }

    @Test
    void traversalAndLinksOutOfTheRootAre404() throws IOException {
        assertEquals(200, get("/files/quickstart/myrtle5-w8-n100-s0-abcd1234/config.yaml").status(), "control");
        for (String p : List.of("/files/../outside/secret.txt", "/files/quickstart/../../outside/secret.txt",
                "/files/%2e%2e/outside/secret.txt", "/files/%2E%2E%2Foutside%2Fsecret.txt",
                "/files/" + tmp.resolve("outside/secret.txt"), "/files" + tmp.resolve("outside/secret.txt"),
                "/files/%2F" + tmp.resolve("outside/secret.txt").toString().substring(1).replace("/", "%2F"),
                "/files/escape/secret.txt", "/files/secret.txt", "/api/metrics/escape", "/api/metrics/..",
                "/api/metrics/%2e%2e/outside", "/api/ntk/../outside", "/files/", "/files/quickstart",
                "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd")) {
            Response r = get(p);
            assertEquals(404, r.status(), p);
            assertFalse(r.body().contains("SECRET"), p);
        }
    }

    @Test
    void onlyReadingMethodsAndLocalHostsAreAnswered() throws IOException {
        String file = "/files/quickstart/myrtle5-w8-n100-s0-abcd1234/config.yaml";
        String host = "127.0.0.1:" + server.address().getPort();
        for (String m : List.of("POST", "PUT", "DELETE", "PATCH", "OPTIONS")) {
            Response r = request(m, file, host);
            assertEquals(405, r.status(), m);
            assertTrue(r.headers().contains("allow: get, head"), r.headers());
        }
        assertTrue(Files.readString(run.resolve("config.yaml")).startsWith("experiment: quickstart"), "unchanged");
        Response head = request("HEAD", file, host);
        assertEquals(200, head.status());
        assertEquals("", head.body());
        assertEquals(200, request("GET", "/api/runs", "localhost:" + server.address().getPort()).status());
        assertEquals(200, request("GET", "/api/runs", "[::1]:8000").status());
        assertEquals(403, request("GET", "/api/runs", "attacker.example:" + server.address().getPort()).status(),
                "DNS rebinding: a foreign name resolving to 127.0.0.1");
        assertEquals(403, request("GET", "/api/runs", "127.0.0.1.attacker.example").status());
    }

    @Test
    void loopbackHostNames() {
        assertTrue(LiveServer.loopbackHost("localhost:8000"));
        assertTrue(LiveServer.loopbackHost("127.0.0.1"));
        assertTrue(LiveServer.loopbackHost("[::1]:8000"));
        assertFalse(LiveServer.loopbackHost("localhost.attacker.example:8000"));
        assertFalse(LiveServer.loopbackHost("[::2]:8000"));
        assertFalse(LiveServer.loopbackHost(null));
    }
}

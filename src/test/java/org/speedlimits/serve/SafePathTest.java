package org.speedlimits.serve;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Request paths are resolved inside the root only: {@code ..} (plain and percent-encoded, with encoded slashes),
 * absolute paths and real symlinks out of the root are refused. Controls: the same files are reachable when the path
 * stays inside, and a symlink that points inside the root is followed, so the refusals are not just "everything fails".
 */
class SafePathTest {
    @TempDir
    Path tmp;
    Path root;
    Path secret;

    @BeforeEach
    void layout() throws IOException {
        root = Files.createDirectories(tmp.resolve("outputs")).toRealPath();
        Path run = Files.createDirectories(root.resolve("quickstart/run-a"));
        Files.writeString(run.resolve("metrics.csv"), "epoch,time\n0,0.0\n");
        Files.writeString(run.resolve(".lock"), "");
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        secret = Files.writeString(outside.resolve("secret.txt"), "not for the client");
        Files.createSymbolicLink(root.resolve("escape"), outside);                        // folder link out
        Files.createSymbolicLink(root.resolve("secret-link.txt"), secret);                // file link out
        Files.createSymbolicLink(run.resolve("up"), tmp);                                 // relative climb via link
        Files.createSymbolicLink(root.resolve("alias"), root.resolve("quickstart"));     // link inside: allowed
    }

    @Test
    void pathsInsideTheRootResolve() throws IOException {
        Path metrics = root.resolve("quickstart/run-a/metrics.csv");
        assertEquals(Optional.of(metrics), SafePath.file(root, "quickstart/run-a/metrics.csv"));
        assertEquals(Optional.of(root), SafePath.resolve(root, ""));
        assertEquals(Optional.of(metrics), SafePath.file(root, "quickstart/run%2Da/metrics%2Ecsv"), "escapes decode");
        assertEquals(Optional.of(metrics), SafePath.file(root, "alias/run-a/metrics.csv"), "a link inside is followed");
        assertEquals(Optional.of(root.resolve("quickstart/run-a")), SafePath.folder(root, "quickstart/run-a"));
        assertTrue(Files.exists(root.resolve("escape/secret.txt")), "control: the link out really leads to the file");
    }

    @Test
    void traversalIsRefused() {
        String abs = secret.toString(); // "/tmp/.../outside/secret.txt"
        for (String raw : List.of(
                "..", "../outside/secret.txt", "quickstart/../../outside/secret.txt",
                "quickstart/run-a/../../../outside/secret.txt",
                "%2e%2e/outside/secret.txt", "%2E%2E/outside/secret.txt", ".%2e/outside/secret.txt",
                "%2e%2e%2foutside%2fsecret.txt", "quickstart%2F..%2F..%2Foutside%2Fsecret.txt",
                "..%5coutside%5csecret.txt",
                abs, abs.substring(1).replace("/", "%2F"), "%2F" + abs.substring(1), "/" + abs,
                "escape/secret.txt", "secret-link.txt", "quickstart/run-a/up/outside/secret.txt",
                "quickstart/run-a/.lock", ".", "quickstart/./run-a/metrics.csv", "quickstart//run-a/metrics.csv",
                "quickstart/run-a/metrics.csv%00", "%zz", "quickstart/run-a/metrics.csv%2", "%c0%ae%c0%ae/outside")) {
            assertEquals(Optional.empty(), SafePath.resolve(root, raw), raw);
        }
    }

    @Test
    void fileAndFolderKeepToTheirKind() {
        assertEquals(Optional.empty(), SafePath.file(root, "quickstart/run-a"));
        assertEquals(Optional.empty(), SafePath.folder(root, "quickstart/run-a/metrics.csv"));
        assertEquals(Optional.empty(), SafePath.file(root, "quickstart/run-a/missing.csv"));
    }

    @Test
    void encodeRoundTrips() throws IOException {
        Path odd = Files.createDirectories(root.resolve("sweeps/a b#c/runs/n=500,s=0 %"));
        String encoded = SafePath.encode(root, odd);
        assertEquals("sweeps/a%20b%23c/runs/n=500,s=0%20%25", encoded);
        assertEquals(Optional.of(odd), SafePath.folder(root, encoded));
    }
}

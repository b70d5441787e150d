package org.speedlimits.data;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs src/test/sh/data-download-test.sh (mirror, corrupted mirror, missing file, fake tarball; MNIST: fake official
 * files, wrong MD5, failed download, and its mirror cases when the MNIST mirror is present) against the mirrors.
 */
class DataDownloadScriptTest {

    @Test
    void scriptTestsPass() throws IOException, InterruptedException {
        Path bash = Path.of("/bin/bash");
        assumeTrue(Files.isExecutable(bash), "bash not available");
        Path mirror = TestData.mirror().orElse(null);
        assumeTrue(mirror != null, "no CIFAR-10 mirror: set CIFAR10_MIRROR or provide ../shared/cifar10-subset");

        ProcessBuilder builder = new ProcessBuilder(bash.toString(), "src/test/sh/data-download-test.sh")
                .redirectErrorStream(true);
        builder.environment().put("CIFAR10_MIRROR", mirror.toAbsolutePath().toString());
        MnistTestData.mirror().ifPresent(m -> builder.environment().put("MNIST_MIRROR", m.toAbsolutePath().toString()));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "script did not finish");
        assertEquals(0, process.exitValue(), "data-download-test.sh failed:\n" + output);
    }
}

package org.speedlimits.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds real CIFAR-10 for integration tests: the installed copy, else the offline mirror. */
public final class TestData {
    private TestData() {
    }

    /** The offline mirror: $CIFAR10_MIRROR, else ../shared/cifar10-subset relative to the project root. */
    public static Optional<Path> mirror() {
        String env = System.getenv("CIFAR10_MIRROR");
        Path dir = env != null && !env.isBlank() ? Path.of(env) : Path.of("..", "shared", "cifar10-subset");
        return Files.isRegularFile(dir.resolve("SHA256SUMS")) ? Optional.of(dir) : Optional.empty();
    }

    /**
     * The real CIFAR-10 for a test that needs it, or an AssertionError saying how to get it: a missing data set
     * fails the test instead of skipping it silently.
     */
    public static Path requireCifar() {
        return realCifar().orElseThrow(() -> new AssertionError("no CIFAR-10: neither " + Cifar10BinaryReader.DEFAULT_DIR
                + " (./data-download.sh) nor the offline mirror ($CIFAR10_MIRROR or ../shared/cifar10-subset)"));
    }

    /** data/cifar-10-batches-bin if ./data-download.sh has installed it, else the mirror. */
    public static Optional<Path> realCifar() {
        Path installed = Cifar10BinaryReader.DEFAULT_DIR;
        return Files.isRegularFile(installed.resolve("SOURCE")) ? Optional.of(installed) : mirror();
    }
}

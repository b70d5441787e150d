package org.speedlimits.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** Writes a command's whole output folder at once: nothing half-written is left where a reader looks. */
public final class OutputFolder {
    private OutputFolder() {}

    /** What fills the folder (given a temporary sibling to write into). */
    @FunctionalInterface
    public interface Writer {
        void write(Path folder) throws IOException;
    }

    /**
     * Runs {@code writer} on a temporary sibling of {@code dir}, then moves its files into {@code dir} (created if
     * needed; files of the same name are replaced, others kept). On any failure {@code dir} is left as it was and the
     * temporary folder is removed.
     */
    public static void write(Path dir, Writer writer) {
        Path parent = dir.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
            Path tmp = Files.createTempDirectory(parent, "." + dir.getFileName() + ".tmp");
            try {
                writer.write(tmp);
                Files.createDirectories(dir);
                try (Stream<Path> files = Files.list(tmp)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        Path target = dir.resolve(f.getFileName());
                        if (Files.isDirectory(f) && Files.isDirectory(target)) deleteTree(target);
                        Files.move(f, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            } finally {
                deleteTree(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> w = Files.walk(root)) {
            for (Path p : (Iterable<Path>) w.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
        }
    }
}

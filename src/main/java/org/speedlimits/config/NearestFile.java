package org.speedlimits.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * "Did you mean" for a YAML file that is not there: the closest {@code *.yaml}/{@code *.yml} file of a folder by
 * {@link ConfigLoader#nearest} on the names without their extension (with it, every candidate would share the
 * {@code .yaml} leaf), offered only when it is plausibly a typo.
 */
public final class NearestFile {
    private NearestFile() {
    }

    /** The YAML files of {@code dir}, sorted by name (none if it is not a folder). */
    public static List<Path> yamlFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).filter(p -> stem(p.getFileName().toString()) != null)
                    .sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The YAML file of {@code dir} whose name is closest to {@code name}, if one is within a typo's distance. */
    public static Optional<Path> in(Path dir, String name) {
        Map<String, Path> byStem = new LinkedHashMap<>();
        for (Path p : yamlFiles(dir)) {
            byStem.putIfAbsent(stem(p.getFileName().toString()), p);
        }
        if (byStem.isEmpty()) {
            return Optional.empty();
        }
        String wanted = stem(name) != null ? stem(name) : name;
        String best = ConfigLoader.nearest(wanted, byStem.keySet());
        int distance = ConfigLoader.editDistance(wanted.toLowerCase(), best.toLowerCase());
        return distance <= Math.max(2, wanted.length() / 2) ? Optional.of(byStem.get(best)) : Optional.empty();
    }

    /** The file names of {@code dir}'s YAML files, comma-separated ("" if none). */
    public static String listing(Path dir) {
        return String.join(", ", yamlFiles(dir).stream().map(p -> p.getFileName().toString()).toList());
    }

    private static String stem(String fileName) {
        for (String ext : new String[]{".yaml", ".yml"}) {
            if (fileName.endsWith(ext) && fileName.length() > ext.length()) {
                return fileName.substring(0, fileName.length() - ext.length());
            }
        }
        return null;
    }
}

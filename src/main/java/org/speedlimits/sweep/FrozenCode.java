package org.speedlimits.sweep;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The code a SLURM job runs, frozen at submit time: a copy of every class path entry in
 * {@code <sweep folder>/code/<hash>/}, so that rebuilding (or cleaning) {@code target/} while tasks wait in the queue
 * or are requeued does not change, or break, what they run.
 * <p>
 * The class path is taken as the JVM sees it: the given entries plus, recursively, the {@code Class-Path} manifest
 * entries of their jars (how {@code target/speedlimits-*.jar} names {@code target/lib/}, and how Surefire's booter jar
 * names the test class path). Layout of a copy: a jar with a {@code Class-Path} manifest at the top, the jars its
 * manifest names at the same relative place (so {@code speedlimits-*.jar} + {@code lib/}, as in {@code target/}),
 * other jars in {@code lib/}, class folders as {@code classes/}, {@code classes-1/}, .... {@code <hash>} is the
 * SHA-256 of that layout and every file's content: resubmitting unchanged code reuses the copy, and a file already
 * frozen under another hash is hard-linked rather than copied again (copies are made read-only). Each copy holds
 * {@value #CLASSPATH_FILE} (its class path, one entry a line) and {@value #SOURCES_FILE} (what was copied from where,
 * with each file's SHA-256); it is built under a temporary name and renamed into place, so a copy that exists is
 * complete.
 */
public final class FrozenCode {
    /** The folder under the sweep folder that holds the frozen copies. */
    public static final String DIR = "code";
    public static final String CLASSPATH_FILE = "classpath.txt";
    public static final String SOURCES_FILE = "sources.tsv";
    private static final int HASH_CHARS = 16;

    private final Path directory;
    private final List<Path> entries;

    private FrozenCode(Path directory, List<Path> entries) {
        this.directory = directory;
        this.entries = entries;
    }

    /** The frozen copy's folder ({@code <sweep folder>/code/<hash>}, absolute). */
    public Path directory() {
        return directory;
    }

    /** The frozen copy's class path: absolute entries, in the original order. */
    public String classPath() {
        return entries.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
    }

    /** Copies the class path into {@code <sweepFolder>/code/<hash>/} unless that copy already exists. */
    public static FrozenCode freeze(String classPath, Path sweepFolder) {
        try {
            return freezeChecked(classPath, sweepFolder.toAbsolutePath().normalize().resolve(DIR));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot freeze the job's class path into " + sweepFolder.resolve(DIR)
                    + ": " + e.getMessage(), e);
        }
    }

    /** One class path entry and where it goes in the copy (relative path). */
    record Entry(Path source, String placement) {
    }

    /** The class path as the JVM resolves it, with each entry's place in the frozen copy. */
    static List<Entry> layout(String classPath) {
        List<Entry> out = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        Set<String> used = new HashSet<>();
        for (String e : classPath.split(File.pathSeparator)) {
            if (!e.isEmpty()) {
                add(Path.of(e).toAbsolutePath().normalize(), null, null, out, seen, used);
            }
        }
        return out;
    }

    private static void add(Path source, Path referrer, String relative, List<Entry> out, Set<Path> seen,
                            Set<String> used) {
        if (!Files.exists(source) || !seen.add(source)) {
            return; // the JVM skips a missing entry too
        }
        boolean directory = Files.isDirectory(source);
        List<String> manifestClassPath = directory ? List.of() : manifestClassPath(source);
        String placement;
        if (directory) {
            placement = unique("classes", used);
        } else if (referrer != null && relative != null) {
            placement = unique(relative, used);
        } else {
            String name = source.getFileName().toString();
            placement = unique(manifestClassPath.isEmpty() ? "lib/" + name : name, used);
        }
        out.add(new Entry(source, placement));
        Path placed = Path.of(placement);
        for (String ref : manifestClassPath) {
            URI uri;
            Path target;
            try {
                uri = new URI(ref);
                target = Path.of(source.toUri().resolve(uri)).toAbsolutePath().normalize();
            } catch (java.net.URISyntaxException | IllegalArgumentException
                     | java.nio.file.FileSystemNotFoundException ex) {
                continue; // not a file the JVM could load either
            }
            // keep "lib/x.jar" next to its jar as in target/; anything else (absolute, ../) goes to lib/
            String rel = null;
            if (!uri.isAbsolute() && uri.getPath() != null && !uri.getPath().startsWith("/")) {
                Path r = Path.of(uri.getPath()).normalize();
                if (!r.startsWith("..") && !r.toString().isEmpty()) {
                    Path parent = placed.getParent();
                    rel = (parent == null ? r : parent.resolve(r)).toString();
                }
            }
            if (rel == null && !Files.isDirectory(target)) {
                rel = "lib/" + target.getFileName();
            }
            add(target, source, rel, out, seen, used);
        }
    }

    private static String unique(String placement, Set<String> used) {
        String p = placement;
        for (int i = 1; !used.add(p); i++) {
            Path path = Path.of(placement);
            String name = path.getFileName().toString();
            String renamed = placement.equals("classes") ? "classes-" + i : i + "-" + name;
            p = path.getParent() == null ? renamed : path.getParent().resolve(renamed).toString();
        }
        return p;
    }

    /** The space-separated entries of a jar's Class-Path manifest attribute (none if not a readable jar). */
    static List<String> manifestClassPath(Path jar) {
        try (JarFile file = new JarFile(jar.toFile(), false)) {
            Manifest manifest = file.getManifest();
            String value = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            if (value == null || value.isBlank()) {
                return List.of();
            }
            return List.of(value.trim().split("\\s+"));
        } catch (IOException e) {
            return List.of();
        }
    }

    private static FrozenCode freezeChecked(String classPath, Path codeRoot) throws IOException {
        List<Entry> layout = layout(classPath);
        if (layout.isEmpty()) {
            throw new SweepException("the job class path is empty or none of its entries exists: " + classPath);
        }
        // every file with its place and content hash, in class path order
        Map<String, Path> files = new LinkedHashMap<>();
        for (Entry e : layout) {
            if (Files.isDirectory(e.source())) {
                try (Stream<Path> walk = Files.walk(e.source())) {
                    for (Path f : (Iterable<Path>) walk.filter(Files::isRegularFile).sorted()::iterator) {
                        files.put(e.placement() + "/" + e.source().relativize(f).toString().replace(File.separatorChar, '/'), f);
                    }
                }
            } else {
                files.put(e.placement(), e.source());
            }
        }
        StringBuilder sources = new StringBuilder("# placement\tsha256\tcopied from\n");
        Map<String, String> hashes = new LinkedHashMap<>();
        for (Map.Entry<String, Path> f : files.entrySet()) {
            String sha = sha256(f.getValue());
            hashes.put(f.getKey(), sha);
            sources.append(f.getKey()).append('\t').append(sha).append('\t').append(f.getValue()).append('\n');
        }
        MessageDigest digest = newDigest();
        for (Entry e : layout) {
            digest.update(("entry\t" + e.placement() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        hashes.forEach((k, v) -> digest.update((k + "\t" + v + "\n").getBytes(StandardCharsets.UTF_8)));
        String hash = HexFormat.of().formatHex(digest.digest()).substring(0, HASH_CHARS);
        Path directory = codeRoot.resolve(hash);
        List<Path> entries = layout.stream().map(e -> directory.resolve(e.placement())).toList();
        if (Files.isRegularFile(directory.resolve(CLASSPATH_FILE))) {
            return new FrozenCode(directory, entries); // the same code, frozen by an earlier submission
        }
        Files.createDirectories(codeRoot);
        Map<String, Path> frozenBySha = alreadyFrozen(codeRoot);
        Path tmp = Files.createTempDirectory(codeRoot, "." + hash + ".tmp");
        try {
            for (Map.Entry<String, Path> f : files.entrySet()) {
                Path target = tmp.resolve(f.getKey());
                Files.createDirectories(target.getParent());
                Path existing = frozenBySha.get(hashes.get(f.getKey()));
                if (!(existing != null && link(target, existing))) {
                    Files.copy(f.getValue(), target, StandardCopyOption.COPY_ATTRIBUTES);
                    readOnly(target);
                }
            }
            Files.writeString(tmp.resolve(SOURCES_FILE), sources.toString(), StandardCharsets.UTF_8);
            Files.writeString(tmp.resolve(CLASSPATH_FILE), entries.stream().map(Path::toString)
                    .collect(Collectors.joining("\n", "", "\n")), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, directory, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                if (!Files.isRegularFile(directory.resolve(CLASSPATH_FILE))) {
                    throw e;
                }
                // a concurrent submission froze the same code first: use its copy
            } catch (IOException e) {
                if (!Files.isRegularFile(directory.resolve(CLASSPATH_FILE))) { // "directory not empty" on Linux
                    throw e;
                }
            }
        } finally {
            deleteTree(tmp);
        }
        return new FrozenCode(directory, entries);
    }

    /** sha256 -> a file of an existing frozen copy under {@code codeRoot} (from their sources files). */
    private static Map<String, Path> alreadyFrozen(Path codeRoot) throws IOException {
        Map<String, Path> out = new HashMap<>();
        try (Stream<Path> dirs = Files.list(codeRoot)) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                Path sources = dir.resolve(SOURCES_FILE);
                if (dir.getFileName().toString().startsWith(".") || !Files.isRegularFile(sources)) {
                    continue;
                }
                for (String line : Files.readAllLines(sources, StandardCharsets.UTF_8)) {
                    String[] cols = line.split("\t");
                    if (cols.length >= 2 && !line.startsWith("#") && Files.isRegularFile(dir.resolve(cols[0]))) {
                        out.putIfAbsent(cols[1], dir.resolve(cols[0]));
                    }
                }
            }
        }
        return out;
    }

    private static boolean link(Path target, Path existing) {
        try {
            Files.createLink(target, existing);
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    private static void readOnly(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
        } catch (IOException | UnsupportedOperationException e) {
            file.toFile().setWritable(false);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** SHA-256 of a file's content, cached per path, size and modification time (submissions hash ~200 MB). */
    private static final Map<String, String> SHA_CACHE = new ConcurrentHashMap<>();

    static String sha256(Path file) throws IOException {
        String key = file.toAbsolutePath() + "\0" + Files.size(file) + "\0" + Files.getLastModifiedTime(file).toMillis();
        String cached = SHA_CACHE.get(key);
        if (cached != null) {
            return cached;
        }
        MessageDigest digest = newDigest();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        String sha = HexFormat.of().formatHex(digest.digest());
        SHA_CACHE.put(key, sha);
        return sha;
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package org.speedlimits;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The allowed-dependency table of docs/architecture.md: every main source file's imports and fully qualified
 * references to org.speedlimits.* (comments and string literals ignored) may only name its own package, the
 * low-level packages config and io, and packages earlier in the pipeline; and the package graph has no cycle.
 */
class ArchitectureTest {
    private static final Path MAIN = Path.of("src/main/java/org/speedlimits");
    /** Low-level packages everyone may use, in order: each may depend only on the ones before it (plot on io). */
    private static final List<String> LOW_LEVEL = List.of("config", "io", "plot");
    /** What a low-level package may use (none of the pipeline). */
    private static final Map<String, Set<String>> LOW_LEVEL_DEPS = Map.of("config", Set.of(), "io", Set.of(), "plot", Set.of("io"));
    /** The pipeline: each package may depend on the low-level ones and on those before it. */
    private static final List<String> PIPELINE = List.of("data", "model", "engine", "dynamics", "train", "hooks",
            "ntk", "linreg", "ness", "analysis", "figures", "run", "sweep", "serve", "cli");
    private static final Pattern PACKAGE = Pattern.compile("^package\\s+org\\.speedlimits\\.(\\w+)[\\w.]*;", Pattern.MULTILINE);
    private static final Pattern REFERENCE = Pattern.compile("\\borg\\.speedlimits\\.(\\w+)");

    /** Package -> the packages it may depend on (docs/architecture.md's table). */
    static Map<String, Set<String>> allowed() {
        Map<String, Set<String>> table = new LinkedHashMap<>();
        for (String low : LOW_LEVEL) table.put(low, LOW_LEVEL_DEPS.get(low));
        for (int i = 0; i < PIPELINE.size(); i++) {
            Set<String> ok = new TreeSet<>(LOW_LEVEL);
            ok.addAll(PIPELINE.subList(0, i));
            table.put(PIPELINE.get(i), ok);
        }
        return table;
    }

    /** Package -> referenced org.speedlimits packages -> the files that reference them. */
    static Map<String, Map<String, Set<String>>> dependencies(Path root) throws IOException {
        Map<String, Map<String, Set<String>>> deps = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        for (Path f : files) {
            String code = stripCommentsAndStrings(Files.readString(f));
            Matcher pm = PACKAGE.matcher(code);
            assertTrue(pm.find(), "no org.speedlimits package declaration in " + f);
            String own = pm.group(1);
            Map<String, Set<String>> out = deps.computeIfAbsent(own, k -> new TreeMap<>());
            Matcher rm = REFERENCE.matcher(code.substring(pm.end()));
            while (rm.find()) {
                if (!rm.group(1).equals(own)) {
                    out.computeIfAbsent(rm.group(1), k -> new TreeSet<>()).add(root.relativize(f).toString());
                }
            }
        }
        return deps;
    }

    static String stripCommentsAndStrings(String s) {
        return s.replaceAll("(?s)\"\"\".*?\"\"\"", "\"\"")
                .replaceAll("(?s)/\\*.*?\\*/", " ")
                .replaceAll("//[^\\n]*", " ")
                .replaceAll("\"(?:\\\\.|[^\"\\\\\\n])*\"", "\"\"")
                .replaceAll("'(?:\\\\.|[^'\\\\\\n])+'", "' '");
    }

    @Test
    void everyDependencyIsAllowedByTheTable() throws IOException {
        Map<String, Set<String>> table = allowed();
        List<String> violations = new ArrayList<>();
        dependencies(MAIN).forEach((pkg, refs) -> {
            if (!table.containsKey(pkg)) {
                violations.add("package " + pkg + " is not in docs/architecture.md's table (add it there and here)");
                return;
            }
            refs.forEach((target, files) -> {
                if (!table.get(pkg).contains(target)) {
                    violations.add(pkg + " -> " + target + " (" + String.join(", ", files) + ")");
                }
            });
        });
        assertEquals(List.of(), violations, "dependencies not allowed by docs/architecture.md");
    }

    @Test
    void thePackageGraphHasNoCycle() throws IOException {
        Map<String, Map<String, Set<String>>> deps = dependencies(MAIN);
        Set<String> done = new HashSet<>();
        for (String start : deps.keySet()) {
            List<String> cycle = cycleFrom(start, deps, new ArrayList<>(), done);
            assertEquals(List.of(), cycle, "package cycle");
        }
    }

    private static List<String> cycleFrom(String p, Map<String, Map<String, Set<String>>> deps, List<String> path,
                                          Set<String> done) {
        int at = path.indexOf(p);
        if (at >= 0) {
            List<String> cycle = new ArrayList<>(path.subList(at, path.size()));
            cycle.add(p);
            return cycle;
        }
        if (done.contains(p)) {
            return List.of();
        }
        path.add(p);
        for (String q : deps.getOrDefault(p, Map.of()).keySet()) {
            List<String> c = cycleFrom(q, deps, path, done);
            if (!c.isEmpty()) {
                return c;
            }
        }
        path.remove(path.size() - 1);
        done.add(p);
        return List.of();
    }

    @Test
    void theTableItselfFlowsOneWay() {
        Map<String, Set<String>> table = allowed();
        for (int i = 0; i < LOW_LEVEL.size(); i++) {
            String low = LOW_LEVEL.get(i);
            Set<String> earlier = Set.copyOf(LOW_LEVEL.subList(0, i));
            assertTrue(earlier.containsAll(table.get(low)), low + " is low-level: it may depend only on earlier low-level packages, not "
                    + table.get(low));
        }
        assertEquals(LOW_LEVEL.size() + PIPELINE.size(), table.size());
    }
}

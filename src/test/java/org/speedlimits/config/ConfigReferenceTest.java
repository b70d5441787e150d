package org.speedlimits.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/config.md's reference table must document exactly the keys of defaults.yaml, each with its default: the
 * first column is {@code `section.key`}, the second the default in backticks (numbers are compared as numbers, so
 * {@code 1e-4} documents {@code 1.0e-4}; everything else, lists such as {@code []} included, as text).
 */
class ConfigReferenceTest {
    static final Path DEFAULTS = Path.of("src/main/resources/org/speedlimits/config/defaults.yaml");
    static final Path REFERENCE = Path.of("docs/config.md");

    private static final Pattern HEADER = Pattern.compile("^\\|\\s*Key\\s*\\|\\s*Default\\s*\\|.*");
    private static final Pattern CELL_SPLIT = Pattern.compile("(?<!\\\\)\\|");
    private static final Pattern CODE = Pattern.compile("`([^`]*)`");

    @Test
    void everyDefaultIsDocumentedWithItsValue() throws IOException {
        Map<String, String> yaml = leafDefaults(Files.readString(DEFAULTS, StandardCharsets.UTF_8));
        Map<String, String> documented = documentedDefaults(Files.readAllLines(REFERENCE, StandardCharsets.UTF_8));
        assertFalse(yaml.isEmpty(), "no keys read from " + DEFAULTS);

        TreeSet<String> missing = new TreeSet<>(yaml.keySet());
        missing.removeAll(documented.keySet());
        TreeSet<String> unknown = new TreeSet<>(documented.keySet());
        unknown.removeAll(yaml.keySet());
        assertTrue(missing.isEmpty() && unknown.isEmpty(),
                REFERENCE + " vs " + DEFAULTS + ": keys of defaults.yaml missing from the table " + missing
                        + ", keys in the table that defaults.yaml does not have " + unknown);

        List<String> wrong = new ArrayList<>();
        yaml.forEach((key, value) -> {
            if (!sameValue(value, documented.get(key))) {
                wrong.add(key + ": defaults.yaml has '" + value + "', the table says '" + documented.get(key) + "'");
            }
        });
        assertTrue(wrong.isEmpty(), REFERENCE + " documents wrong defaults: " + wrong);
    }

    @Test
    void comparisonIsNotVacuous() {
        Map<String, String> yaml = leafDefaults("a: 1.0e-4\nb:\n  c: []\n  d: [0, final]\n  e: x\n");
        assertEquals(List.of("a", "b.c", "b.d", "b.e"), List.copyOf(yaml.keySet()));
        assertTrue(sameValue(yaml.get("a"), "1e-4"));
        assertEquals("[]", yaml.get("b.c"));
        assertEquals("[0, final]", yaml.get("b.d"));
        assertEquals("x", yaml.get("b.e"));
        assertTrue(sameValue("1.0e-4", "1e-4"));
        assertTrue(sameValue("1000.0", "1000"));
        assertFalse(sameValue("1.0e-4", "1e-3"));
        assertFalse(sameValue("[]", "[0]"));
        assertFalse(sameValue("true", "false"));
        Map<String, String> doc = documentedDefaults(List.of(
                "| Key | Default | Meaning |", "|---|---|---|", "| `a` | `1e-4` | x \\| y |", "| `b.c` | `[]` | z |", "",
                "| `not.in.table` | `1` | after the table |"));
        assertEquals(Map.of("a", "1e-4", "b.c", "[]"), doc);
    }

    /** Dotted leaf key -> the YAML value as text (arrays are leaves, written as [a, b]). */
    static Map<String, String> leafDefaults(String yamlText) {
        try {
            JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(yamlText);
            Map<String, String> out = new LinkedHashMap<>();
            collect("", root, out);
            return out;
        } catch (IOException e) {
            throw new AssertionError("cannot parse YAML: " + e.getMessage(), e);
        }
    }

    private static void collect(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                collect(prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), field.getValue(), out);
            }
        } else if (node.isArray()) {
            List<String> items = new ArrayList<>();
            node.forEach(item -> items.add(item.asText()));
            out.put(prefix, "[" + String.join(", ", items) + "]");
        } else {
            out.put(prefix, node.isNull() ? "null" : node.asText());
        }
    }

    /** The first table headed "| Key | Default |": key (first cell, in backticks) -> default (second cell's code). */
    static Map<String, String> documentedDefaults(List<String> lines) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        while (i < lines.size() && !HEADER.matcher(lines.get(i)).matches()) {
            i++;
        }
        if (i == lines.size()) {
            fail("no table with header '| Key | Default | ...' in " + REFERENCE);
        }
        for (i += 2; i < lines.size() && lines.get(i).trim().startsWith("|"); i++) {
            String line = lines.get(i).trim();
            String[] cells = CELL_SPLIT.split(line.substring(1), -1);
            if (cells.length < 2) {
                fail("row with fewer than two cells in " + REFERENCE + ": " + line);
            }
            String key = code(cells[0], line);
            String value = code(cells[1], line);
            if (out.put(key, value) != null) {
                fail("key documented twice in " + REFERENCE + ": " + key);
            }
        }
        return out;
    }

    private static String code(String cell, String line) {
        Matcher m = CODE.matcher(cell);
        if (!m.find()) {
            fail("cell without a `code` value in " + REFERENCE + ": '" + cell.trim() + "' in row " + line);
        }
        return m.group(1).trim();
    }

    static boolean sameValue(String yaml, String documented) {
        if (documented == null) {
            return false;
        }
        Double a = number(yaml);
        Double b = number(documented);
        if (a != null && b != null) {
            return a.doubleValue() == b.doubleValue();
        }
        return normaliseText(yaml).equals(normaliseText(documented));
    }

    private static Double number(String s) {
        try {
            return Double.valueOf(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String normaliseText(String s) {
        String t = s.trim().replaceAll("\\s+", " ");
        if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
            t = t.substring(1, t.length() - 1);
        }
        return t;
    }
}

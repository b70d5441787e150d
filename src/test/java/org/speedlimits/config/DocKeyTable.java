package org.speedlimits.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The "## Config keys" table of a command's doc page: rows of (key, documented default) from the first two columns. */
public final class DocKeyTable {
    private DocKeyTable() {}

    public static List<String[]> read(Path doc) throws Exception {
        String text = Files.readString(doc);
        int start = text.indexOf("## Config keys");
        assertTrue(start >= 0, doc + " has a '## Config keys' section");
        int end = text.indexOf("\n## ", start + 1);
        String section = text.substring(start, end < 0 ? text.length() : end);
        Matcher m = Pattern.compile("(?m)^\\|\\s*`([a-z0-9_.]+)`\\s*\\|\\s*`([^`]*)`\\s*\\|").matcher(section);
        List<String[]> rows = new ArrayList<>();
        while (m.find()) rows.add(new String[]{m.group(1), m.group(2)});
        return rows;
    }
}

package org.speedlimits.cli;

import picocli.CommandLine;
import picocli.CommandLine.IHelpSectionRenderer;
import picocli.CommandLine.Model.UsageMessageSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Usage help that breaks lines only at spaces. picocli wraps with the JDK's line {@link java.text.BreakIterator},
 * which also breaks after '.', '/' and '-', so {@code config.yaml}, {@code summary.csv} or {@code train.epochs} came out
 * split over two lines. Here every help section is rendered unwrapped (a very wide usage width) and then wrapped
 * again at the usage width ({@code picocli.usage.width}, default 80) at spaces only, keeping picocli's layout:
 * the text column of option and command tables, its 2-space hanging indent, and the synopsis aligned after the
 * command name. A word longer than the room left stays whole (the line is then longer than the width).
 */
final class HelpLayout {
    /** Wide enough that picocli wraps nothing. */
    static final int UNWRAPPED = 100_000;
    /** A table row: indent, first column (words separated by single spaces), a gap of 2+ spaces, the text. */
    private static final Pattern TABLE_ROW = Pattern.compile("^( *\\S+(?: \\S+)*?)( {2,})(?=\\S)");

    private HelpLayout() {
    }

    /** Installs the space-only wrapping on {@code root} and every subcommand below it. */
    static CommandLine install(CommandLine root) {
        Map<String, IHelpSectionRenderer> sections = new LinkedHashMap<>(root.getHelpSectionMap());
        sections.replaceAll((key, renderer) -> wrapping(key, renderer));
        root.setHelpSectionMap(sections);
        for (CommandLine sub : root.getSubcommands().values()) {
            install(sub);
        }
        return root;
    }

    private static IHelpSectionRenderer wrapping(String key, IHelpSectionRenderer renderer) {
        return help -> {
            UsageMessageSpec usage = help.commandSpec().usageMessage();
            int width = usage.width();
            if (width >= UNWRAPPED) {
                return renderer.render(help);
            }
            String text;
            usage.width(UNWRAPPED);
            try {
                text = renderer.render(help);
            } finally {
                usage.width(width);
            }
            if (key.equals(CommandLine.Model.UsageMessageSpec.SECTION_KEY_SYNOPSIS)) {
                int heading = help.synopsisHeadingLength(); // "Usage: ", a section of its own
                return synopsis(text, width, heading, heading + help.commandSpec().qualifiedName().length() + 1);
            }
            return wrap(text, width);
        };
    }

    /** Wraps every line of a rendered section at spaces (see the class comment). */
    static String wrap(String text, int width) {
        StringBuilder out = new StringBuilder();
        for (String line : lines(text)) {
            String body = stripTrailing(line);
            if (body.length() <= width) {
                out.append(line.endsWith("\n") ? body : line); // a heading keeps its trailing space
            } else {
                Matcher row = TABLE_ROW.matcher(body);
                int textColumn;
                int hang;
                if (row.find()) {
                    textColumn = row.end();
                    hang = textColumn + 2;
                } else {
                    textColumn = leadingSpaces(body);
                    hang = textColumn == 0 ? 0 : textColumn + 2;
                }
                fill(out, body.substring(0, textColumn), body.substring(textColumn), width, hang, 0);
            }
            out.append(line.endsWith("\n") ? "\n" : "");
        }
        return out.toString();
    }

    /**
     * The synopsis (after its heading, {@code offset} characters, on the same line): wrapped with continuation
     * lines aligned after the command name, as picocli does.
     */
    static String synopsis(String text, int width, int offset, int hang) {
        StringBuilder out = new StringBuilder();
        boolean first = true;
        for (String line : lines(text)) {
            String body = stripTrailing(line);
            int start = first ? 0 : leadingSpaces(body);
            if ((first ? offset : 0) + body.length() <= width || hang >= width / 2 || start == body.length()) {
                out.append(body);
            } else {
                fill(out, body.substring(0, start), body.substring(start), width, hang, first ? offset : 0);
            }
            out.append(line.endsWith("\n") ? "\n" : "");
            first = false;
        }
        return out.toString();
    }

    /**
     * Greedy fill of {@code words} after {@code head} (which starts {@code offset} characters into its line),
     * continuation lines indented by {@code hang}.
     */
    private static void fill(StringBuilder out, String head, String words, int width, int hang, int offset) {
        StringBuilder current = new StringBuilder(head);
        int used = offset;
        boolean empty = true;
        for (String word : words.trim().split(" +")) {
            if (!empty && used + current.length() + 1 + word.length() > width) {
                out.append(current).append('\n');
                current = new StringBuilder(" ".repeat(hang));
                used = 0;
                empty = true;
            }
            if (!empty) {
                current.append(' ');
            }
            current.append(word);
            empty = false;
        }
        out.append(current);
    }

    private static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                lines.add(text.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < text.length()) {
            lines.add(text.substring(start));
        }
        return lines;
    }

    private static String stripTrailing(String line) {
        return line.replaceAll("[\\s]+$", "");
    }

    private static int leadingSpaces(String s) {
        int n = 0;
        while (n < s.length() && s.charAt(n) == ' ') {
            n++;
        }
        return n;
    }
}

package org.speedlimits.cli;

import org.junit.jupiter.api.Test;
import org.speedlimits.engine.NativeAllocator;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --help} of every command at width 80 breaks lines only at spaces: its words are exactly those of picocli's
 * unwrapped rendering (a word split as {@code config.} / {@code yaml} would be two), and no line is over 80
 * characters. Also: the launcher script bin/speedlimits applies the same malloc settings as the project's child JVMs.
 */
class UsageHelpTest {
    static final int WIDTH = 80;

    /** Every command of a tree by its qualified name ("speedlimits", "speedlimits sweep submit", ...). */
    static Map<String, CommandLine> commands(CommandLine root) {
        Map<String, CommandLine> out = new LinkedHashMap<>();
        out.put(root.getCommandSpec().qualifiedName(), root);
        for (CommandLine sub : root.getSubcommands().values()) {
            out.putAll(commands(sub));
        }
        return out;
    }

    static List<String> words(String text) {
        return Arrays.stream(text.trim().split("\\s+")).toList();
    }

    @Test
    void everyCommandsHelpBreaksLinesOnlyAtSpaces() {
        CommandLine wrapped = Main.commandLine();
        wrapped.setUsageHelpWidth(WIDTH);
        CommandLine plain = new CommandLine(new Main()); // picocli's own rendering, unwrapped
        plain.setUsageHelpWidth(HelpLayout.UNWRAPPED);
        Map<String, CommandLine> reference = commands(plain);
        Map<String, CommandLine> all = commands(wrapped);
        assertTrue(all.keySet().containsAll(List.of("speedlimits", "speedlimits train", "speedlimits sweep submit",
                "speedlimits analyze", "speedlimits figures", "speedlimits ntk", "speedlimits linreg")), all.keySet().toString());
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, CommandLine> c : all.entrySet()) {
            String help = c.getValue().getUsageMessage(CommandLine.Help.Ansi.OFF);
            String unwrapped = reference.get(c.getKey()).getUsageMessage(CommandLine.Help.Ansi.OFF);
            if (!words(help).equals(words(unwrapped))) {
                problems.add(c.getKey() + ": words differ from the unwrapped help\n" + help);
            }
            for (String line : help.split("\n")) {
                if (line.length() > WIDTH) {
                    problems.add(c.getKey() + ": line over " + WIDTH + " characters: " + line);
                }
            }
            assertTrue(help.startsWith("Usage: " + c.getKey()), help);
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        // the case that used to break: "config.yaml" split after the dot
        String train = all.get("speedlimits train").getUsageMessage(CommandLine.Help.Ansi.OFF);
        assertTrue(train.contains("config.yaml"), train);
        assertFalse(train.matches("(?s).*[a-z]\\.\n\\s*[a-z].*"), train);
    }

    @Test
    void wrapKeepsTheTableColumnAndItsHangingIndent() {
        String row = "  -c, --config=FILE   " + "word ".repeat(20).trim();
        String[] lines = HelpLayout.wrap(row, 40).split("\n");
        assertTrue(lines[0].startsWith("  -c, --config=FILE   word"), lines[0]);
        for (int i = 1; i < lines.length; i++) {
            assertTrue(lines[i].startsWith(" ".repeat(24) + "word"), lines[i]);
        }
        assertEquals("a.very.long.word.that.does.not.fit", HelpLayout.wrap("a.very.long.word.that.does.not.fit", 10),
                "a word is never broken");
    }

    @Test
    void versionNamesTheBuild() {
        String version = String.join(" ", new Main.Version().getVersion());
        assertTrue(version.startsWith("speedlimits ") && version.contains("Java "), version);
    }

    /** bin/speedlimits exports exactly NativeAllocator's line and reads .mvn/jvm.config. */
    @Test
    void launcherScriptUsesTheProjectsMallocSettingsAndJvmOptions() throws Exception {
        Path script = Path.of("bin", "speedlimits");
        assertTrue(Files.isExecutable(script), "bin/speedlimits is executable");
        String text = Files.readString(script);
        assertTrue(text.lines().anyMatch(l -> l.equals(NativeAllocator.shellExport())),
                "bin/speedlimits must contain the line " + NativeAllocator.shellExport());
        assertTrue(text.contains(".mvn/jvm.config"), "bin/speedlimits reads .mvn/jvm.config");
        assertTrue(text.contains("mvn -q -DskipTests package"), "says how to build the jar");
        Process syntax = new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
        assertEquals(0, syntax.waitFor(), new String(syntax.getInputStream().readAllBytes()));
    }
}

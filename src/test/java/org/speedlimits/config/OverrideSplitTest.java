package org.speedlimits.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --set} splitting (spaces inside brackets, braces and quotes) and "did you mean" for a missing config file. */
class OverrideSplitTest {
    private static List<String> split(String... groups) {
        return ConfigLoader.splitOverrides(List.of(groups));
    }

    private static String splitError(String group) {
        return assertThrows(ConfigException.class, () -> split(group)).getMessage();
    }

    @Test
    void plainAssignmentsSplitAtWhitespace() {
        assertEquals(List.of("train.epochs=50", "model.width=16"), split("  train.epochs=50 \t model.width=16 "));
        assertEquals(List.of("a=1", "b=2", "c=3"), split("a=1 b=2", "c=3"), "several --set arguments");
        assertEquals(List.of(), split("", "   "));
        assertEquals(List.of(), ConfigLoader.splitOverrides(null));
    }

    @Test
    void spacesInsideBracketsStayInOneAssignment() {
        assertEquals(List.of("ntk.epochs=[0, final]"), split("ntk.epochs=[0, final]"));
        assertEquals(List.of("ntk.epochs=[0, final, \"warm:0.12\"]", "train.epochs=50"),
                split("ntk.epochs=[0, final, \"warm:0.12\"] train.epochs=50"));
        assertEquals(List.of("train.epochs=50", "hooks.anchors=[ 1 , 2 ]", "seed=1"),
                split("train.epochs=50 hooks.anchors=[ 1 , 2 ] seed=1"));
    }

    @Test
    void nestedBracketsAndBraces() {
        assertEquals(List.of("x=[[0, 1], [2, 3]]", "y={a: [1, 2], b: {c: 3}}", "z=1"),
                split("x=[[0, 1], [2, 3]] y={a: [1, 2], b: {c: 3}} z=1"));
    }

    @Test
    void quotesKeepSpacesAndHideBrackets() {
        assertEquals(List.of("experiment=\"my run\"", "seed=2"), split("experiment=\"my run\" seed=2"));
        assertEquals(List.of("experiment='a [b'", "seed=2"), split("experiment='a [b' seed=2"));
        assertEquals(List.of("experiment=\"say \\\"hi there\\\"\""), split("experiment=\"say \\\"hi there\\\"\""));
        assertEquals(List.of("ntk.epochs=['warm: 0.1', 3]"), split("ntk.epochs=['warm: 0.1', 3]"));
        // an apostrophe inside a word is not a quote
        assertEquals(List.of("experiment=it's", "seed=1"), split("experiment=it's seed=1"));
    }

    @Test
    void unbalancedBracketsAndQuotesAreClearErrors() {
        String unclosed = splitError("ntk.epochs=[0, final train.epochs=5");
        assertTrue(unclosed.contains("override 'ntk.epochs=[0, final train.epochs=5'")
                && unclosed.contains("'[' at character 12 is never closed"), unclosed);
        String stray = splitError("ntk.epochs=0, final]");
        assertTrue(stray.contains("']' at character 20 closes nothing"), stray);
        String mismatched = splitError("x={a: [1, 2}]");
        assertTrue(mismatched.contains("'}' at character 12 closes the '[' at character 7"), mismatched);
        String quote = splitError("experiment=\"my run seed=2");
        assertTrue(quote.contains("\" at character 12 is never closed"), quote);
        assertTrue(unclosed.contains("--set \"ntk.epochs=[0, final]\""), "the message shows the form that works");
    }

    @Test
    void bracketedOverrideResolves() {
        ConfigLoader.Resolved r = ConfigLoader.fromYaml("train:\n  epochs: 10\n",
                List.of("ntk.epochs=[0, final] hooks.anchors=[1, 5]"));
        assertEquals("[0,\"final\"]", r.tree().at("/ntk/epochs").toString());
        assertEquals("[1,5]", r.tree().at("/hooks/anchors").toString());
    }

    @Test
    void missingBareConfigSuggestsTheNearestInConfigs() {
        String typo = assertThrows(ConfigException.class, () -> ConfigLoader.resolvePath("quikstart.yaml")).getMessage();
        assertTrue(typo.contains("config file not found: 'quikstart.yaml'"), typo);
        assertTrue(typo.contains("did you mean 'quickstart.yaml'?"), typo);
        String noExtension = assertThrows(ConfigException.class, () -> ConfigLoader.resolvePath("myrtle")).getMessage();
        assertTrue(noExtension.contains("did you mean 'myrtle5.yaml'?"), noExtension);
        // nothing close: no guess, but the folder's files
        String far = assertThrows(ConfigException.class, () -> ConfigLoader.resolvePath("zzzzzzzzzzzz.yaml")).getMessage();
        assertFalse(far.contains("did you mean"), far);
        assertTrue(far.contains("quickstart.yaml") && far.contains("fcn.yaml"), far);
    }

    @Test
    void missingConfigPathSuggestsTheNearestInItsFolder(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("width-sweep.yaml"), "seed: 1\n");
        Files.writeString(dir.resolve("other.yml"), "seed: 2\n");
        Path wrong = dir.resolve("widht-sweep.yaml");
        String message = assertThrows(ConfigException.class, () -> ConfigLoader.load(wrong.toString(), List.of()))
                .getMessage();
        assertTrue(message.contains("did you mean '" + dir.resolve("width-sweep.yaml") + "'?"), message);
        String relative = assertThrows(ConfigException.class, () -> ConfigLoader.resolvePath("configs/fnc.yaml"))
                .getMessage();
        assertTrue(relative.contains("did you mean '" + Path.of("configs", "fcn.yaml") + "'?"), relative);
    }

    @Test
    void anExperimentFileGivenAsAConfigPointsToSweep() {
        String message = assertThrows(ConfigException.class, () -> ConfigLoader.resolvePath("smoke.yaml")).getMessage();
        assertTrue(message.contains("experiments/smoke.yaml is an experiment (sweep) file"), message);
    }
}

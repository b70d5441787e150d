package org.speedlimits.linreg;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.speedlimits.config.ConfigException;

/** linreg's config goes through config.ConfigLoader: train's key style, hints, type errors, --set and configs/ lookup. */
class LinregConfigTest {
    static ConfigException fails(String yaml, String... overrides) {
        return assertThrows(ConfigException.class, () -> LinregConfig.fromYaml(yaml, List.of(overrides)));
    }

    @Test
    void keysAreSnakeCase() {
        assertEquals(List.of("seed", "lambda", "lambda2", "alpha", "d", "gamma", "noise", "replicas", "dt", "times",
                "gammas", "gamma_time", "jackknife_groups"), LinregConfig.keys());
        LinregConfig c = LinregConfig.fromYaml("gamma_time: 3.0\njackknife_groups: 4\n", List.of());
        assertEquals(3.0, c.gammaTime);
        assertEquals(4, c.jackknifeGroups);
    }

    @Test
    void unknownKeyNamesTheNearestSnakeCaseKey() {
        ConfigException e = fails("gamma_tim: 2.0\n");
        assertTrue(e.getMessage().contains("unknown key 'gamma_tim'; did you mean 'gamma_time'?"), e.getMessage());
        assertTrue(e.getMessage().contains("docs/linreg.md"), e.getMessage());
        // the old camelCase spelling is no longer accepted, and the hint is the snake_case key
        e = fails("gammaTime: 2.0\n");
        assertTrue(e.getMessage().contains("unknown key 'gammaTime'; did you mean 'gamma_time'?"), e.getMessage());
        e = fails("jackknifeGroups: 5\n");
        assertTrue(e.getMessage().contains("did you mean 'jackknife_groups'?"), e.getMessage());
        e = fails("", "replica=100");
        assertTrue(e.getMessage().startsWith("override: unknown key 'replica'; did you mean 'replicas'?"), e.getMessage());
    }

    @Test
    void wrongTypeNamesKeyExpectedTypeAndValue() {
        ConfigException e = fails("d: forty\n");
        assertTrue(e.getMessage().contains("key 'd' expects an integer, got 'forty'"), e.getMessage());
        e = fails("d: 4.5\n");
        assertTrue(e.getMessage().contains("key 'd' expects an integer, got 4.5"), e.getMessage());
        e = fails("dt: fast\n");
        assertTrue(e.getMessage().contains("key 'dt' expects a number, got 'fast'"), e.getMessage());
        e = fails("noise: {a: 1}\n");
        assertTrue(e.getMessage().contains("key 'noise' expects a list"), e.getMessage());
        e = fails("noise: [0.0, hot]\n");
        assertTrue(e.getMessage().contains("key 'noise[1]' expects a number, got 'hot'"), e.getMessage());
        e = fails("", "replicas=many");
        assertTrue(e.getMessage().contains("override: key 'replicas' expects an integer, got 'many'"), e.getMessage());
        e = fails("", "replicas");
        assertTrue(e.getMessage().contains("is not of the form key=value"), e.getMessage());
        e = fails("- d\n- 3\n");
        assertTrue(e.getMessage().contains("expected a YAML mapping"), e.getMessage());
    }

    @Test
    void setOverridesBeatTheFileWithTrainsSyntax() {
        LinregConfig c = LinregConfig.fromYaml("d: 10\nreplicas: 300\n", List.of("d=12 gamma_time=1e-1", "noise=0.5"));
        assertEquals(12, c.d);            // override beats the file
        assertEquals(300, c.replicas);    // the file beats the defaults
        assertEquals(0.1, c.gammaTime);   // 1e-1 (a YAML 1.1 string) is a number, as for train
        assertEquals(List.of(0.5), c.noise); // a scalar is a one-element list, as for train
        c = LinregConfig.fromYaml("", List.of("times=[0.5,1,2]"));
        assertEquals(List.of(0.5, 1.0, 2.0), c.times);
        // [1, 2] and [1.0, 2.0] are the same config and the same run id
        assertEquals(LinregConfig.fromYaml("times: [1, 2]\n", List.of()).runId(),
                LinregConfig.fromYaml("times: [1.0, 2.0]\n", List.of()).runId());
        assertNotEquals(LinregConfig.defaults().runId(), c.runId());
    }

    @Test
    void bareNameResolvesInConfigsDirectory() {
        LinregConfig byName = LinregConfig.load("linreg.yaml", List.of());
        LinregConfig byStem = LinregConfig.load("linreg", List.of("d=20"));
        LinregConfig byPath = LinregConfig.load(Path.of("configs", "linreg.yaml").toString(), List.of());
        assertEquals(byPath.runId(), byName.runId());
        assertEquals(20, byStem.d);
        ConfigException e = assertThrows(ConfigException.class, () -> LinregConfig.load("no-such-linreg.yaml", List.of()));
        assertTrue(e.getMessage().contains("config file not found: 'no-such-linreg.yaml'"), e.getMessage());
    }

    @Test
    void emptyFileMeansDefaults(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path empty = Files.writeString(tmp.resolve("empty.yaml"), "# nothing\n");
        assertEquals(LinregConfig.defaults().toYaml(), LinregConfig.load(empty.toString(), List.of()).toYaml());
    }

    static List<String[]> docTable() throws Exception {
        return org.speedlimits.config.DocKeyTable.read(Path.of("docs", "linreg.md"));
    }

    @Test
    void docsKeyTableMatchesTheDefaultsResource() throws Exception {
        List<String[]> rows = docTable();
        Set<String> documented = new LinkedHashSet<>();
        for (String[] r : rows) assertTrue(documented.add(r[0]), "documented twice: " + r[0]);
        assertEquals(new LinkedHashSet<>(LinregConfig.keys()), documented,
                "docs/linreg.md's key table and " + LinregConfig.DEFAULTS_RESOURCE + " must list the same keys");
        String defaults = LinregConfig.defaults().toYaml();
        for (String[] r : rows) {
            assertEquals(defaults, LinregConfig.fromYaml(r[0] + ": " + r[1] + "\n", List.of()).toYaml(),
                    "documented default of '" + r[0] + "' (" + r[1] + ") differs from the defaults resource");
        }
    }
}

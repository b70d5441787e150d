package org.speedlimits.ness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.speedlimits.config.ConfigException;
import org.speedlimits.config.DocKeyTable;

/** The ness config: the documented keys are the resource's, and bad values name key, value and expectation. */
class NessConfigTest {
    @Test
    void docsKeyTableMatchesTheDefaultsResource() throws Exception {
        List<String[]> rows = DocKeyTable.read(Path.of("docs", "ness.md"));
        Set<String> documented = new LinkedHashSet<>();
        for (String[] r : rows) assertTrue(documented.add(r[0]), "documented twice: " + r[0]);
        assertEquals(new LinkedHashSet<>(NessConfig.keys()), documented, "docs/ness.md's key table and the defaults must list the same keys");
        String defaults = NessConfig.defaults().toYaml();
        for (String[] r : rows) {
            String[] path = r[0].split("\\.");
            String yaml = path.length == 1 ? r[0] + ": " + r[1] + "\n" : path[0] + ":\n  " + path[1] + ": " + r[1] + "\n";
            assertEquals(defaults, NessConfig.fromYaml(yaml, List.of()).toYaml(), "documented default of '" + r[0] + "' differs");
        }
    }

    @Test
    void theShippedConfigsAreValid() {
        for (String name : List.of("ness-regression.yaml", "ness-posterior.yaml", "ness-mnist.yaml")) {
            NessConfig c = NessConfig.load(name, List.of());
            assertTrue(c.stepsPerEpoch() > 1, name);
        }
    }

    @Test
    void badValuesNameTheKeyTheValueAndWhatWasExpected() {
        ConfigException e = assertThrows(ConfigException.class, () -> NessConfig.fromYaml("sgd: {batch: 7}\n", List.of()));
        assertTrue(e.getMessage().contains("sgd.batch") && e.getMessage().contains("7") && e.getMessage().contains("M = 200"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> NessConfig.fromYaml("stages: [posterior]\n", List.of()));
        assertTrue(e.getMessage().contains("model.type") && e.getMessage().contains("linearized"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> NessConfig.fromYaml("model: {type: linearized}\n", List.of()));
        assertTrue(e.getMessage().contains("stationary.plane") && e.getMessage().contains("1..3"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> NessConfig.fromYaml("sgd: {eta: -1}\n", List.of()));
        assertTrue(e.getMessage().contains("sgd.eta"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> NessConfig.fromYaml("stationary: {dynamics: [sgd_xx]}\n", List.of()));
        assertTrue(e.getMessage().contains("stationary.dynamics") && e.getMessage().contains("sgd_wr"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> NessConfig.fromYaml("", List.of("sgd.etaa=1")));
        assertTrue(e.getMessage().contains("sgd.eta"), e.getMessage());
        // a valid override goes through
        assertEquals(1e-6, NessConfig.fromYaml("", List.of("sgd.eta=1e-6")).sgd.eta);
    }
}

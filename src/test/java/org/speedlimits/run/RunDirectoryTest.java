package org.speedlimits.run;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.speedlimits.config.ConfigLoader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class RunDirectoryTest {
    @TempDir
    Path tmp;

    /**
     * `train --config RUN/config.yaml` (SLURM reference runs, --resume) must find the same run directory: the id may
     * not depend on how the YAML reader typed the numbers (int vs long), e.g. in the default ntk section.
     */
    @Test
    void runIdSurvivesARoundTripThroughConfigYaml() throws Exception {
        for (List<String> overrides : List.of(List.of("model.width=4"), List.of("model.width=4", "ntk.epochs=[0,final]"))) {
            var resolved = ConfigLoader.load("configs/quickstart.yaml", overrides);
            Path yaml = tmp.resolve("config-" + overrides.size() + ".yaml");
            Files.writeString(yaml, resolved.toYaml());
            assertEquals(RunDirectory.runId(resolved), RunDirectory.runId(ConfigLoader.load(yaml.toString(), List.of())),
                    "overrides " + overrides);
            assertEquals(RunDirectory.runId(resolved), RunDirectory.runId(ConfigLoader.fromRunConfig(yaml)));
        }
    }

    @Test
    void aMeasuringOnlyNtkScheduleChangesTheIdButDefaultsDoNot() {
        String plain = RunDirectory.runId(ConfigLoader.load("configs/quickstart.yaml", List.of()));
        assertEquals(plain, RunDirectory.runId(ConfigLoader.load("configs/quickstart.yaml", List.of("ntk.kernel=trace"))));
        assertNotEquals(plain, RunDirectory.runId(ConfigLoader.load("configs/quickstart.yaml", List.of("ntk.epochs=[0]"))));
    }
}

package org.speedlimits.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.speedlimits.config.ConfigLoader;
import org.speedlimits.config.ExperimentConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * experiments/*.yaml (sweep-file format: sweep, base, set, grid, resources): every grid point of base + set resolves
 * to a valid run config (the keys exist and have the right types), and the warm start is computable (anchors).
 */
class ExperimentFilesTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"fig1.yaml", "fig1-cpu.yaml"})
    void everyGridPointIsAValidRunConfig(String name) throws Exception {
        Path file = Path.of("experiments", name);
        JsonNode sweep = YAML.readTree(file.toFile());
        for (String key : List.of("sweep", "base", "set", "grid", "resources")) {
            assertTrue(sweep.has(key), name + " lacks '" + key + "'");
        }
        Path base = file.getParent().resolve(sweep.get("base").asText()).normalize();
        assertTrue(Files.isRegularFile(base), "base " + base);
        List<String> set = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = sweep.get("set").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            set.add(e.getKey() + "=" + (e.getValue().isTextual() ? e.getValue().asText() : JSON.writeValueAsString(e.getValue())));
        }
        JsonNode grid = sweep.get("grid");
        List<Long> ns = new ArrayList<>();
        grid.get("data.n_train").forEach(v -> ns.add(v.asLong()));
        int seeds = grid.get("seed").size();
        for (long n : ns) {
            for (JsonNode seed : grid.get("seed")) {
                List<String> overrides = new ArrayList<>(set);
                overrides.add("data.n_train=" + n);
                overrides.add("seed=" + seed.asText());
                ExperimentConfig c = ConfigLoader.load(base.toString(), overrides).config();
                assertEquals(n, c.data().nTrain());
                assertTrue(c.model().type() == ExperimentConfig.ModelType.MYRTLE && c.model().depth() == 5, "Myrtle-5");
                assertTrue(!c.hooks().anchors().isEmpty() || c.hooks().anchorLogPoints() > 0, "anchors for the warm start");
            }
        }
        if (name.equals("fig1.yaml")) {
            assertEquals(List.of(500L, 1250L, 2500L, 5000L), ns);
            assertEquals(6, seeds);
            ExperimentConfig c = ConfigLoader.load(base.toString(), set).config();
            assertEquals(128, c.model().width());
            assertEquals(200000, c.train().epochs());
            assertTrue(c.hooks().anchors().contains(2000L), "anchor at the paper's warm start");
        } else {
            assertTrue(ns.stream().allMatch(n -> n <= 932), "CPU sweep: n <= 932 (one CIFAR batch of the test mirror)");
            assertTrue(seeds >= 3);
        }
    }
}

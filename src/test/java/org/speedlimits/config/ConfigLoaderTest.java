package org.speedlimits.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {

    static ConfigException error(String yaml, String... overrides) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.fromYaml(yaml, List.of(overrides)));
    }

    @Test
    void defaultsApplyWhereTheFileIsSilent() {
        ExperimentConfig c = ConfigLoader.fromYaml("model:\n  width: 16\n", List.of()).config();
        assertEquals(16, c.model().width());
        assertEquals(5, c.model().depth());
        assertEquals(1e-4, c.train().lr());
        assertEquals(ExperimentConfig.LossNormalization.MEAN, c.train().loss());
        assertEquals(org.speedlimits.config.TargetEncoding.ONEHOT, c.data().targets());
    }

    @Test
    void overridesAreSpaceSeparatedAndTyped() {
        ExperimentConfig c = ConfigLoader.fromYaml("", List.of("model.width=16 train.epochs=50", "train.lr=1e-3",
                "model.type=FCN data.standardize=false model.parameterization=ntk")).config();
        assertEquals(16, c.model().width());
        assertEquals(50, c.train().epochs());
        assertEquals(1e-3, c.train().lr()); // YAML 1.1 reads 1e-3 as a string; numeric keys accept it
        assertEquals(ExperimentConfig.ModelType.FCN, c.model().type());
        assertEquals(ExperimentConfig.Parameterization.NTK, c.model().parameterization());
        assertEquals(false, c.data().standardize());
    }

    @Test
    void overrideWinsOverFileAndResolvedYamlRecordsIt() {
        var r = ConfigLoader.fromYaml("train:\n  epochs: 10\n", List.of("train.epochs=20"));
        assertEquals(20, r.config().train().epochs());
        assertTrue(r.toYaml().contains("epochs: 20"), r.toYaml());
        // the resolved YAML reloads to the same config
        assertEquals(r.config(), ConfigLoader.fromYaml(r.toYaml(), List.of()).config());
    }

    @Test
    void unknownKeyNamesNearestValidKey() {
        assertTrue(error("model:\n  widht: 3\n").getMessage().contains("unknown key 'model.widht'; did you mean 'model.width'"));
        assertTrue(error("", "train.epoch=3").getMessage().contains("did you mean 'train.epochs'"));
        assertTrue(error("trian:\n  lr: 1\n").getMessage().contains("'trian'"));
    }

    @Test
    void wrongTypesAreReportedWithKeyAndExpectation() {
        assertTrue(error("model:\n  width: sixteen\n").getMessage().contains("'model.width' expects an integer, got 'sixteen'"));
        assertTrue(error("", "model.width=2.5").getMessage().contains("expects an integer"));
        assertTrue(error("", "train.lr=fast").getMessage().contains("'train.lr' expects a number"));
        assertTrue(error("", "data.standardize=maybe").getMessage().contains("true or false"));
        assertTrue(error("model: 3\n").getMessage().contains("is a section"));
        String enumError = error("", "model.type=resnet").getMessage();
        assertTrue(enumError.contains("'model.type'") && enumError.contains("[myrtle, fcn]"), enumError);
        String engineError = error("", "train.engine=gpu").getMessage();
        assertTrue(engineError.contains("'train.engine'") && engineError.contains("[auto, dl4j, onednn, cudnn]"), engineError);
    }

    @Test
    void nativeEnginesOnlyForFloat32Myrtle() {
        for (String engine : new String[]{"onednn", "cudnn"}) {
            assertTrue(error("", "train.engine=" + engine, "model.type=fcn", "model.depth=2").getMessage()
                    .contains("'train.engine'"));
            String why = error("", "train.engine=" + engine, "train.dtype=float64").getMessage();
            assertTrue(why.contains("'train.engine'") && why.contains("float32"), why);
        }
        assertTrue(error("", "train.tf32=maybe").getMessage().contains("true or false"));
    }

    @Test
    void semanticChecksHappenBeforeAnyWork() {
        assertTrue(error("", "train.lr=0").getMessage().contains("'train.lr' = 0.0 is invalid; expected a positive number"));
        assertTrue(error("", "train.lr=-1e-4").getMessage().contains("train.lr"));
        assertTrue(error("", "model.depth=6").getMessage().contains("5, 7 or 10"));
        assertTrue(error("", "data.n_train=0").getMessage().contains("data.n_train"));
        assertTrue(error("", "model.activation=tanh").getMessage().contains("relu for myrtle"));
        assertTrue(error("", "output.run_id=../escape").getMessage().contains("output.run_id"));
    }

    @Test
    void listsAcceptYamlListsAndSingleValues() {
        assertEquals(List.of(10L, 100L), ConfigLoader.fromYaml("hooks:\n  anchors: [10, 100]\n", List.of()).config().hooks().anchors());
        assertEquals(List.of(5L, 7L), ConfigLoader.fromYaml("", List.of("hooks.anchors=[5,7]")).config().hooks().anchors());
        assertEquals(List.of(5L), ConfigLoader.fromYaml("", List.of("hooks.anchors=5")).config().hooks().anchors());
        assertTrue(error("hooks:\n  anchors: {a: 1}\n").getMessage().contains("'hooks.anchors' expects a list"));
        assertTrue(error("", "hooks.anchors=[5,x]").getMessage().contains("hooks.anchors"));
        assertTrue(error("", "train.epochs=10 hooks.anchors=[20]").getMessage().contains("between 0 and train.epochs = 10"));
    }

    @Test
    void malformedOverride() {
        assertTrue(error("", "train.epochs").getMessage().contains("key=value"));
    }

    @Test
    void bareNameResolvesInConfigsFolderAndMissingFileIsNamed(@TempDir Path dir) throws IOException {
        assertEquals(ConfigLoader.CONFIG_DIR.resolve("quickstart.yaml"), ConfigLoader.resolvePath("quickstart.yaml"));
        assertEquals(ConfigLoader.CONFIG_DIR.resolve("quickstart.yaml"), ConfigLoader.resolvePath("quickstart"));
        Path file = dir.resolve("mine.yaml");
        Files.writeString(file, "seed: 3\n");
        assertEquals(3, ConfigLoader.load(file.toString(), List.of()).config().seed());
        var e = assertThrows(ConfigException.class, () -> ConfigLoader.load("nope.yaml", List.of()));
        assertTrue(e.getMessage().contains("config file not found: 'nope.yaml'"), e.getMessage());
    }

    @Test
    void shippedConfigsAreValid() {
        for (String name : new String[]{"quickstart.yaml", "myrtle5.yaml", "fcn.yaml"}) {
            ConfigLoader.load(name, List.of());
        }
        ExperimentConfig paper = ConfigLoader.load("myrtle5.yaml", List.of()).config();
        assertEquals(128, paper.model().width());
        assertEquals(200_000, paper.train().epochs());
        assertEquals(1e-4, paper.train().lr());
    }

    @Test
    void editDistance() {
        assertEquals(0, ConfigLoader.editDistance("abc", "abc"));
        assertEquals(2, ConfigLoader.editDistance("widht", "width"));
        assertEquals(3, ConfigLoader.editDistance("", "abc"));
    }

    /** train.time and train.epochs: the later layer wins, the resolved config states both, a clash is an error. */
    @Test
    void horizonInPhysicalTime() {
        var c = ConfigLoader.fromYaml("train: {time: 3.6, lr: 0.01, dynamics: flow}", List.of()).config().train();
        assertEquals(360, c.epochs());
        assertEquals(ExperimentConfig.DynamicsKind.FLOW, c.dynamics());
        assertEquals(3.6, c.horizon(), 1e-12);
        var lowerLr = ConfigLoader.fromYaml("train: {time: 3.6, lr: 0.01}", List.of("train.lr=0.002")).config().train();
        assertEquals(1800, lowerLr.epochs(), "the time is physical: a smaller lr means more epochs");
        var epochsOverride = ConfigLoader.fromYaml("train: {time: 3.6, lr: 0.01}", List.of("train.epochs=60")).config().train();
        assertEquals(60, epochsOverride.epochs(), "an override of epochs beats the file's time");
        assertEquals(0.0, epochsOverride.time());
        var resolved = ConfigLoader.fromYaml("train: {time: 0.5, lr: 0.01}", List.of());
        assertEquals(50, ConfigLoader.fromYaml(resolved.toYaml(), List.of()).config().train().epochs(), "round trip");
        assertTrue(error("train: {time: 3.6, lr: 0.01, epochs: 60}").getMessage().contains("disagree"));
        assertTrue(error("train: {time: 0.015, lr: 0.01}").getMessage().contains("whole multiple"));
        assertTrue(error("train: {dynamics: sgd}").getMessage().contains("[gd, flow]"));
        assertTrue(error("train: {rtol: 0}").getMessage().contains("train.rtol"));
        assertTrue(error("hooks: {anchor_times: [0.00005]}").getMessage().contains("hooks.anchor_times"));
        assertEquals(List.of(3L, 20L), List.copyOf(ConfigLoader.fromYaml("train: {lr: 0.01}\nhooks: {anchors: [3], anchor_times: [0.2]}",
                List.of()).config().hooks().anchorEpochs(0.01)));
    }
}

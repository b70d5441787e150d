package org.speedlimits.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.speedlimits.cli.Main;
import org.speedlimits.config.ConfigLoader;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.data.TestData;
import org.speedlimits.data.TrainingData;
import org.speedlimits.io.Npy;
import org.speedlimits.model.ModelFactory;
import org.speedlimits.model.Network;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * docs/file-formats.md's "Reading checkpoints from Python" works: bench/checkpoint_reader.py (the doc's snippet,
 * verbatim) rebuilds f(x) of a trained run from its checkpoint with numpy alone, equal to the Java network's f(x).
 */
class PythonCheckpointReaderTest {
    static final Path SCRIPT = Path.of("bench/checkpoint_reader.py");
    static final Path DOC = Path.of("docs/file-formats.md");
    static final String SECTION = "## Reading checkpoints from Python";
    static final int EPOCHS = 3;
    static final int INPUTS = 5;
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void docShowsTheScriptVerbatim() throws IOException {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        int section = doc.indexOf(SECTION);
        assertTrue(section >= 0, DOC + " has no section '" + SECTION + "'");
        String open = "```python\n";
        int start = doc.indexOf(open, section);
        assertTrue(start >= 0, "no ```python block in " + SECTION);
        start += open.length();
        int end = doc.indexOf("```\n", start);
        assertEquals(Files.readString(SCRIPT, StandardCharsets.UTF_8), doc.substring(start, end),
                "the code block in " + DOC + " '" + SECTION + "' must equal " + SCRIPT + " (copy one into the other)");
    }

    @Test
    void fcnOutputsMatchJava(@TempDir Path root) throws Exception {
        Path run = train(root, "model.type=fcn model.depth=2 model.width=16 train.lr=1e-4"); // 0.01 diverges: lambda_max = 3000
        assertMatches(relativeError(run, run));
        // negative control: the same reader, with the dense W read row-major (order flipped to "C"), is another network
        Path flipped = flipWeightOrders(run, root.resolve("flipped"));
        double wrong = relativeError(flipped, run);
        assertTrue(wrong > 1e-2, "reading dense W in C order must change f(x), changed it by " + wrong);
    }

    @Test
    void myrtle5WithBiasOutputsMatchJava(@TempDir Path root) throws Exception {
        Path run = train(root, "model.type=myrtle model.depth=5 model.width=4 model.bias=true model.sigma_b=0.1 train.lr=0.01");
        assertMatches(relativeError(run, run));
    }

    static void assertMatches(double relativeError) {
        assertTrue(relativeError <= 1e-5, "Python f(x) differs from Java f(x) by " + relativeError + " of max |f|");
    }

    /** Trains a tiny gd run of {@code EPOCHS} epochs on 32 real images; returns its run directory. */
    static Path train(Path root, String model) {
        pythonWithNumpy();
        Path data = TestData.realCifar().orElseThrow(() -> new AssertionError(
                "no CIFAR-10: install it with ./data-download.sh or set CIFAR10_MIRROR to the offline mirror"));
        int code = Main.execute("train", "-c", "quickstart.yaml", "--set", "output.root=" + root
                + " output.run_id=py output.figure=false data.n_train=32 data.n_test=0 " + model
                + " train.dynamics=gd train.epochs=" + EPOCHS + " hooks.triplets=0 hooks.lambda_max_every=-1 data.dir=" + data);
        assertEquals(0, code);
        return root.resolve("quickstart").resolve("py");
    }

    /**
     * max |f_python - f_java| / max |f_java| over the first training inputs at the last epoch, f_java from the run's
     * own network in its training dtype, f_python by the script from {@code scriptRun}'s checkpoint and index.
     */
    static double relativeError(Path scriptRun, Path run) throws Exception {
        ExperimentConfig c = ConfigLoader.fromRunConfig(run.resolve(RunDirectory.CONFIG)).config();
        var dtype = c.train().dtype().dataType();
        Network network = ModelFactory.build(c.model(), c.seed(), dtype);
        INDArray theta = Checkpoints.open(run, network.blocks(), network.numParams(),
                ExperimentConfig.yamlName(c.train().dtype()), c.checkpoint().keep()).load(EPOCHS);
        network.net().setParams(theta.castTo(dtype).reshape(1, -1));
        INDArray x = TrainingData.load(c.data(), dtype).train().x()
                .get(NDArrayIndex.interval(0, INPUTS), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()).dup('c');
        INDArray java = network.net().output(x);
        Path in = scriptRun.resolve("inputs.npy");
        Path out = scriptRun.resolve("outputs.npy");
        Npy.write(in, x);
        Process p = new ProcessBuilder("python3", SCRIPT.toString(), scriptRun.toString(), in.toString(), out.toString())
                .redirectErrorStream(true).start();
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(done, SCRIPT + " did not finish in 120 s");
        assertEquals(0, p.exitValue(), SCRIPT + " failed:\n" + log);
        INDArray python = Npy.read(out);
        assertEquals(List.of((long) INPUTS, 10L), List.of(python.shape()[0], python.shape()[1]));
        double[] a = python.castTo(DataType.DOUBLE).reshape(-1).toDoubleVector();
        double[] b = java.castTo(DataType.DOUBLE).dup('c').reshape(-1).toDoubleVector();
        double diff = 0, scale = 0;
        for (int i = 0; i < b.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        assertTrue(scale > 0);
        System.out.printf("%s: max |f_python - f_java| / max |f_java| = %.3g%n", scriptRun, diff / scale);
        return diff / scale;
    }

    /** A copy of the run (config and checkpoints) whose index.json reads every W in the other order. */
    static Path flipWeightOrders(Path run, Path copy) throws IOException {
        Path ckpt = copy.resolve(Checkpoints.DIR);
        Files.createDirectories(ckpt);
        Files.copy(run.resolve(RunDirectory.CONFIG), copy.resolve(RunDirectory.CONFIG));
        JsonNode index = JSON.readTree(run.resolve(Checkpoints.DIR).resolve(Checkpoints.INDEX).toFile());
        for (JsonNode p : index.get("parameters")) {
            if (p.get("key").asText().equals("W")) {
                ((ObjectNode) p).put("order", p.get("order").asText().equals("F") ? "C" : "F");
            }
        }
        JSON.writeValue(ckpt.resolve(Checkpoints.INDEX).toFile(), index);
        Files.copy(run.resolve(Checkpoints.DIR).resolve(Checkpoints.fileName(EPOCHS)), ckpt.resolve(Checkpoints.fileName(EPOCHS)));
        return copy;
    }

    /** Skips (never silently passes) when python3 or numpy is missing, saying how to install them. */
    static void pythonWithNumpy() {
        int code;
        try {
            Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            code = p.waitFor(60, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (IOException e) {
            assumeTrue(false, "python3 is not on PATH (" + e.getMessage() + "): install it with"
                    + " `apt-get install python3 python3-numpy` to run this test");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        assumeTrue(code == 0, "python3 has no numpy (`python3 -c 'import numpy'` exited " + code
                + "): install it with `apt-get install python3-numpy` (or `pip install numpy`) to run this test");
    }
}

package org.speedlimits.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.config.ExperimentConfig.Activation;
import org.speedlimits.config.ExperimentConfig.ModelType;
import org.speedlimits.config.ExperimentConfig.Parameterization;
import org.speedlimits.io.Npy;
import org.speedlimits.model.ModelFactory;
import org.speedlimits.model.Network;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * checkpoints/index.json describes theta completely: every parameter array, rebuilt from the flat epoch_E.npy with
 * nothing but the index's offset, length, shape and order, equals the network's own array element by element. A
 * reader that ignores "order" (numpy's default C reshape of a dense W) gets a different network; flipping one
 * entry's order makes this check fail.
 */
class CheckpointLayoutTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static ExperimentConfig.Model myrtle(boolean bias) {
        return new ExperimentConfig.Model(ModelType.MYRTLE, 5, 4, Activation.RELU, Parameterization.STANDARD,
                Math.sqrt(2), bias, bias ? 0.3 : 0.0);
    }

    static ExperimentConfig.Model fcn(boolean bias) {
        return new ExperimentConfig.Model(ModelType.FCN, 2, 5, Activation.TANH, Parameterization.STANDARD,
                Math.sqrt(2), bias, bias ? 0.3 : 0.0);
    }

    /** Writes theta_0 of the model through Checkpoints (as training does) and returns the checkpoint folder. */
    static Path checkpoint(Network n, Path run) {
        Checkpoints c = Checkpoints.open(run, n.blocks(), n.numParams(), "float32", 3);
        c.save(0, n.net().params(), List.of("initial"), Map.of());
        return c.dir();
    }

    /** Names of the index's arrays that, rebuilt from theta by offset/length/shape/order, differ from the network's. */
    static List<String> mismatches(Network n, INDArray theta, JsonNode parameters) {
        List<String> wrong = new ArrayList<>();
        double[] flat = theta.castTo(DataType.DOUBLE).toDoubleVector();
        for (JsonNode p : parameters) {
            long offset = p.get("offset").asLong();
            long length = p.get("length").asLong();
            long[] shape = new long[p.get("shape").size()];
            for (int d = 0; d < shape.length; d++) {
                shape[d] = p.get("shape").get(d).asLong();
            }
            String order = p.get("order").asText();
            assertTrue(order.equals("C") || order.equals("F"), p.get("name") + ": order " + order);
            INDArray own = n.net().getParam(p.get("layer").asInt() + "_" + p.get("key").asText());
            assertEquals(java.util.Arrays.toString(own.shape()), java.util.Arrays.toString(shape), p.get("name").asText());
            assertEquals(own.length(), length);
            long[] index = new long[shape.length];
            boolean same = true;
            for (long k = 0; k < length; k++) {
                // index = the k-th multi-index in row-major enumeration; position = where `order` puts it in the slice
                long rest = k;
                for (int d = shape.length - 1; d >= 0; d--) {
                    index[d] = rest % shape[d];
                    rest /= shape[d];
                }
                long position = 0;
                if (order.equals("C")) {
                    for (int d = 0; d < shape.length; d++) {
                        position = position * shape[d] + index[d];
                    }
                } else {
                    for (int d = shape.length - 1; d >= 0; d--) {
                        position = position * shape[d] + index[d];
                    }
                }
                if (flat[(int) (offset + position)] != own.getDouble(index)) {
                    same = false;
                    break;
                }
            }
            if (!same) {
                wrong.add(p.get("name").asText());
            }
        }
        return wrong;
    }

    static void assertIndexRebuildsNetwork(ExperimentConfig.Model model, Path run, String... expectedOrders) throws Exception {
        Network n = ModelFactory.build(model, 11, DataType.FLOAT);
        Path dir = checkpoint(n, run);
        JsonNode index = JSON.readTree(dir.resolve(Checkpoints.INDEX).toFile());
        JsonNode parameters = index.get("parameters");
        INDArray theta = Npy.read(dir.resolve(Checkpoints.fileName(0)));
        assertEquals(n.numParams(), theta.length());
        long covered = 0;
        List<String> orders = new ArrayList<>();
        for (JsonNode p : parameters) {
            assertEquals(covered, p.get("offset").asLong(), "arrays tile theta: " + p.get("name"));
            covered += p.get("length").asLong();
            orders.add(p.get("key").asText() + ":" + p.get("order").asText());
        }
        assertEquals(n.numParams(), covered);
        assertEquals(List.of(), mismatches(n, theta, parameters), "arrays that index.json does not rebuild");
        assertEquals(List.of(expectedOrders), orders);
        assertTrue(index.get("order").asText().contains("order"), index.get("order").asText());
    }

    @Test
    void myrtle5WithoutBiasIsRebuiltFromTheIndex(@TempDir Path run) throws Exception {
        assertIndexRebuildsNetwork(myrtle(false), run, "W:C", "W:C", "W:C", "W:C", "W:F");
    }

    @Test
    void myrtle5WithBiasIsRebuiltFromTheIndex(@TempDir Path run) throws Exception {
        // DL4J puts a conv layer's bias before its W in theta, a dense layer's after
        assertIndexRebuildsNetwork(myrtle(true), run,
                "b:C", "W:C", "b:C", "W:C", "b:C", "W:C", "b:C", "W:C", "W:F", "b:C");
    }

    @Test
    void fcnIsRebuiltFromTheIndex(@TempDir Path run, @TempDir Path withBias) throws Exception {
        assertIndexRebuildsNetwork(fcn(false), run, "W:F", "W:F", "W:F");
        assertIndexRebuildsNetwork(fcn(true), withBias, "W:F", "b:C", "W:F", "b:C", "W:F", "b:C");
    }

    /** Negative control: with one weight array's order flipped, that array (and only it) no longer matches. */
    @Test
    void flippingOneOrderIsDetected(@TempDir Path fcnRun, @TempDir Path myrtleRun) throws Exception {
        for (var c : List.of(Map.entry(fcn(true), fcnRun), Map.entry(myrtle(false), myrtleRun))) {
            Network n = ModelFactory.build(c.getKey(), 11, DataType.FLOAT);
            Path dir = checkpoint(n, c.getValue());
            JsonNode parameters = JSON.readTree(dir.resolve(Checkpoints.INDEX).toFile()).get("parameters");
            INDArray theta = Npy.read(dir.resolve(Checkpoints.fileName(0)));
            for (JsonNode p : parameters) {
                if (p.get("key").asText().equals("W")) {
                    ObjectNode entry = (ObjectNode) p;
                    String order = entry.get("order").asText();
                    entry.put("order", order.equals("C") ? "F" : "C");
                    assertEquals(List.of(p.get("name").asText()), mismatches(n, theta, parameters),
                            "flipped " + p.get("name") + " to " + entry.get("order"));
                    entry.put("order", order);
                }
            }
            assertEquals(List.of(), mismatches(n, theta, parameters));
        }
    }
}

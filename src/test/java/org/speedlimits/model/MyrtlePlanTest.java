package org.speedlimits.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.run.Backend;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layer plan and theta layout the native engines share (CPU-testable before any GPU sees them): the index
 * formulas against DL4J's own parameter views, and a plain-Java float64 gradient built on the plan alone against the
 * oneDNN engine's at the same theta.
 */
public class MyrtlePlanTest {

    public static Network myrtle(int depth, int width, boolean bias) {
        return ModelFactory.build(new ExperimentConfig.Model(ExperimentConfig.ModelType.MYRTLE, depth, width,
                ExperimentConfig.Activation.RELU, ExperimentConfig.Parameterization.STANDARD, Math.sqrt(2), bias, 0.3),
                5, DataType.FLOAT);
    }

    @ParameterizedTest
    @CsvSource({"5, 3, true", "7, 2, false", "10, 2, true"})
    void indexFormulasAreDl4jsLayoutAndCoverThetaOnce(int depth, int width, boolean bias) {
        Backend.initialise();
        Network network = myrtle(depth, width, bias);
        MyrtlePlan plan = MyrtlePlan.of(network.net());
        INDArray theta = network.net().params();
        assertEquals(theta.length(), plan.numParams());
        int[] hits = new int[(int) plan.numParams()];
        long size = ModelFactory.IMAGE_SIZE;
        long in = ModelFactory.CHANNELS;
        int pools = 0;
        for (MyrtlePlan.Conv c : plan.convs()) {
            assertEquals(in, c.in());
            assertEquals(size, c.size());
            INDArray w = network.net().getLayer(c.layer()).getParam("W");
            for (long k = 0; k < c.out(); k++) {
                for (long ch = 0; ch < c.in(); ch++) {
                    for (long r = 0; r < 3; r++) {
                        for (long s = 0; s < 3; s++) {
                            long at = c.weightIndex(k, ch, r, s);
                            hits[(int) at]++;
                            assertEquals(w.getFloat(k, ch, r, s), theta.getFloat(at), "conv " + c.layer());
                        }
                    }
                }
                if (bias) {
                    hits[(int) (c.biasOffset() + k)]++;
                    assertEquals(network.net().getLayer(c.layer()).getParam("b").getFloat(k),
                            theta.getFloat(c.biasOffset() + k));
                }
            }
            in = c.out();
            size = c.outSize();
            pools += Integer.numberOfTrailingZeros(c.pool());
        }
        assertEquals(5, pools, "32 -> 1 is five 2x2 poolings");
        MyrtlePlan.Readout r = plan.readout();
        INDArray w = network.net().getLayer(r.layer()).getParam("W");
        for (long i = 0; i < r.in(); i++) {
            for (long o = 0; o < r.out(); o++) {
                hits[(int) r.weightIndex(i, o)]++;
                assertEquals(w.getFloat(i, o), theta.getFloat(r.weightIndex(i, o)), "readout");
            }
        }
        for (long o = 0; bias && o < r.out(); o++) {
            hits[(int) (r.biasOffset() + o)]++;
        }
        for (int i = 0; i < hits.length; i++) {
            assertEquals(1, hits[i], "theta[" + i + "] is addressed " + hits[i] + " times");
        }
        // the layout the GPU engine copies theta in: one block of numParams floats, nothing else
        assertEquals(network.numParams(), plan.numParams());
    }

    /**
     * The plain-Java gradient from the plan equals oneDNN's at the same theta, block by block (float32 oneDNN vs
     * float64 reference: relative 2e-5), over several chunks; and a layout mistake (the readout's W read row-major)
     * is caught by the same comparison.
     */
    @Test
    void referenceGradientFromThePlanEqualsOneDnns() {
        Backend.initialise();
        Network network = myrtle(5, 4, true);
        MyrtlePlan plan = MyrtlePlan.of(network.net());
        int n = 3;
        Nd4j.getRandom().setSeed(11);
        INDArray x = Nd4j.randn(DataType.FLOAT, n, 3, 32, 32);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 10).sub(0.1);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, (3 * i + 1) % 10, 0.9);
        }
        INDArray oneDnn = Nd4j.create(DataType.FLOAT, network.numParams());
        OneDnnMyrtleGradient.Result expected;
        try (OneDnnMyrtleGradient engine = new OneDnnMyrtleGradient(network.net())) {
            expected = engine.compute(x, y, 2, oneDnn);
        }
        float[] theta = network.net().params().toFloatVector();
        MyrtleReference.Result r = MyrtleReference.compute(plan, theta, x.dup('c').data().asFloat(),
                y.dup('c').data().asFloat(), n);
        assertEquals(expected.squaredError(), r.squaredError(), 2e-5 * r.squaredError());
        assertEquals(expected.correct(), r.correct());
        float[] g = oneDnn.toFloatVector();
        double worst = 0;
        for (ParameterBlock b : network.blocks()) {
            double e = relativeError(r.gradient(), g, b.offset(), b.length());
            worst = Math.max(worst, e);
            assertTrue(e < 2e-5, b.name() + ": relative error " + e);
        }
        System.out.printf("reference vs oneDNN gradient: worst block relative error %.3g%n", worst);

        // negative control: the readout's W taken as row-major [in, out] (the layout a naive port would assume)
        MyrtlePlan.Readout ro = plan.readout();
        float[] transposed = theta.clone();
        for (long i = 0; i < ro.in(); i++) {
            for (long o = 0; o < ro.out(); o++) {
                transposed[(int) (ro.weightOffset() + i * ro.out() + o)] = theta[(int) ro.weightIndex(i, o)];
            }
        }
        MyrtleReference.Result wrong = MyrtleReference.compute(plan, transposed, x.dup('c').data().asFloat(),
                y.dup('c').data().asFloat(), n);
        ParameterBlock first = network.blocks().get(0);
        assertTrue(relativeError(wrong.gradient(), g, first.offset(), first.length()) > 1e-2,
                "a transposed readout must change the first layer's gradient");
    }

    @Test
    void chunksAreEqualAndCoverN() {
        for (long n : List.of(1L, 7L, 500L, 1001L, 2500L)) {
            for (long chunk : List.of(1L, 3L, 1000L, 5000L)) {
                long rows = MyrtlePlan.chunkRows(n, chunk);
                long chunks = (n + rows - 1) / rows;
                assertTrue(rows <= chunk && rows * chunks >= n && rows * chunks - n < chunks,
                        n + " in chunks of " + chunk + ": " + rows);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> MyrtlePlan.chunkRows(0, 5));
    }

    @Test
    void flopsAndActivationsOfMyrtle5() {
        Backend.initialise();
        MyrtlePlan plan = MyrtlePlan.of(myrtle(5, 8, true).net());
        // Myrtle-5: 3->C at 32, C->C at 32, C->C at 16, C->C at 8 (ModelFactory's stages); readout C x 10
        long c = 8;
        long m0 = 32 * 32 * c * 3 * 9;
        long m = 32 * 32 * c * c * 9 + 16 * 16 * c * c * 9 + 8 * 8 * c * c * 9;
        assertEquals(2 * (2 * m0 + 3 * m + 3 * c * 10), plan.flopsPerImage());
        // convolution outputs, then the three stage ends' pooled outputs (16x16, 8x8, 1x1)
        assertEquals(c * (32 * 32 + 32 * 32 + 16 * 16 + 8 * 8) + c * (16 * 16 + 8 * 8 + 1),
                plan.activationFloatsPerImage());
        assertEquals(List.of(1, 2, 2, 8), plan.convs().stream().map(MyrtlePlan.Conv::pool).toList());
        // two gradient buffers of the largest activation (C x 32 x 32), the image, f and df
        assertEquals(plan.activationFloatsPerImage() + 2 * c * 32 * 32 + 3 * 32 * 32 + 20, plan.deviceFloatsPerImage());
    }

    private static double relativeError(double[] expected, float[] actual, long offset, long length) {
        double diff = 0;
        double norm = 0;
        for (long i = offset; i < offset + length; i++) {
            double d = expected[(int) i] - actual[(int) i];
            diff += d * d;
            norm += expected[(int) i] * expected[(int) i];
        }
        return Math.sqrt(diff / Math.max(norm, 1e-300));
    }
}

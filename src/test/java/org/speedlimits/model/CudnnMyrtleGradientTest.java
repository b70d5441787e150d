package org.speedlimits.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.speedlimits.run.Backend;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CPU-side parts of the cuDNN engine: the host half of a chunk (loss, argmax count, output gradient with padding
 * rows) against ND4J's own sums and argmax; and that without a GPU the engine refuses to start, naming why. The
 * device half runs in bench/gpu/run-java.sh (docs/backends.md).
 */
class CudnnMyrtleGradientTest {

    @Test
    void hostLossMatchesNd4jAndZeroesPaddingRows() {
        Backend.initialise();
        Random random = new Random(3);
        int k = 10;
        int n = 9;        // the split
        int start = 4;    // this chunk's first row
        int rows = 6;     // chunk size; rows m.. are padding
        int m = n - start;
        float[] targets = new float[n * k];
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < k; o++) {
                targets[i * k + o] = o == (i * 3) % k ? 0.9f : -0.1f;
            }
        }
        float[] outputs = new float[rows * k];
        for (int i = 0; i < outputs.length; i++) {
            outputs[i] = (float) random.nextGaussian();
        }
        outputs[2 * k + 1] = outputs[2 * k + 4] = 50f; // a tie: the first maximum counts, as ND4J's argMax
        float[] delta = new float[rows * k];
        java.util.Arrays.fill(delta, Float.NaN);
        CudnnMyrtleGradient.Result r = CudnnMyrtleGradient.lossAndDelta(outputs, targets, start, m, k, delta);

        INDArray f = Nd4j.create(java.util.Arrays.copyOf(outputs, m * k), new long[]{m, k}).castTo(DataType.DOUBLE);
        INDArray y = Nd4j.create(java.util.Arrays.copyOfRange(targets, start * k, n * k), new long[]{m, k})
                .castTo(DataType.DOUBLE);
        INDArray d = f.sub(y);
        assertEquals(d.mul(d).sumNumber().doubleValue(), r.squaredError(), 1e-9 * r.squaredError());
        assertEquals(ObservedSquaredError.correctPredictions(f, y), r.correct());
        for (int i = 0; i < rows; i++) {
            for (int o = 0; o < k; o++) {
                float expected = i < m ? (float) (2 * d.getDouble(i, o)) : 0f;
                assertEquals(expected, delta[i * k + o], 1e-6, "delta[" + i + ", " + o + "]");
            }
        }
    }

    @Test
    void withoutAGpuTheEngineDoesNotStart() {
        org.junit.jupiter.api.Assumptions.assumeFalse(CudaLibrariesTest.driverInstalled());
        Backend.initialise();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new CudnnMyrtleGradient(MyrtlePlanTest.myrtle(5, 2, true).net(), false));
        assertTrue(e.getMessage().startsWith("the cuDNN engine cannot run here: no NVIDIA driver"), e.getMessage());
    }
}

package org.speedlimits.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Coarse-graining by block means against hand-computed values. */
class MnistDataTest {

    /** One 8x8 image whose four 4x4 blocks have hand-computable means. */
    private static byte[] eightByEight() {
        byte[] p = new byte[64];
        for (int r = 0; r < 8; r++) {
            for (int c = 0; c < 8; c++) {
                int v;
                if (r < 4 && c < 4) {
                    v = 255;                       // block (0,0): mean 255 -> 1
                } else if (r < 4) {
                    v = c % 2 == 0 ? 255 : 0;      // block (0,1): half the pixels 255 -> 0.5
                } else if (c < 4) {
                    v = 51;                        // block (1,0): 51/255 = 0.2
                } else {
                    v = r == 7 && c == 4 ? 255 : 0; // block (1,1): one pixel of 16 -> 1/16
                }
                p[r * 8 + c] = (byte) v;
            }
        }
        return p;
    }

    @Test
    void blockMeansOfAHandMadeImage() {
        MnistData data = new MnistData(eightByEight(), new int[]{7}, 8, 8);
        assertArrayEquals(new double[]{1.0, 0.5, 0.2, 1.0 / 16}, data.coarseGrained(4), 1e-15);
        // block 2: the first row of 2x2 means is 1, 1, 0.5, 0.5
        double[] twos = data.coarseGrained(2);
        assertEquals(16, twos.length);
        assertArrayEquals(new double[]{1, 1, 0.5, 0.5}, java.util.Arrays.copyOf(twos, 4), 1e-15);
        assertEquals(0.25, twos[3 * 4 + 2], 1e-15); // the 255 at (7, 4) is in 2x2 block (3, 2)
        assertArrayEquals(new double[]{1, 0, 1, 0}, java.util.Arrays.copyOfRange(data.coarseGrained(1), 4, 8), 1e-15);
        assertEquals((16 * 255 + 8 * 255 + 16 * 51 + 255) / (64 * 255.0), data.meanGrey(0), 1e-15);
    }

    @Test
    void mnistSevenBySevenIsRowMajorPerImage() {
        byte[] p = new byte[2 * 784];
        p[5 * 28 + 9] = (byte) 255;               // image 0, pixel (5, 9) -> coarse (1, 2)
        p[784 + 27 * 28 + 0] = (byte) 128;        // image 1, pixel (27, 0) -> coarse (6, 0)
        double[] x = new MnistData(p, new int[]{0, 1}, 28, 28).coarseGrained(4);
        assertEquals(2 * 49, x.length);
        assertEquals(255 / (16 * 255.0), x[7 + 2], 1e-15);
        assertEquals(0.0, x[2 * 7 + 1], 0.0); // the transposed position stays empty (a transposition would fill it)
        assertEquals(128 / (16 * 255.0), x[49 + 6 * 7], 1e-15);
        double sum = 0;
        for (double v : x) {
            sum += v;
        }
        assertEquals((255 + 128) / (16 * 255.0), sum, 1e-15);
    }

    @Test
    void rejectsBlocksThatDoNotDivideTheImageAndBadShapes() {
        MnistData data = new MnistData(new byte[784], new int[]{0}, 28, 28);
        assertThrows(IllegalArgumentException.class, () -> data.coarseGrained(3));
        assertThrows(IllegalArgumentException.class, () -> new MnistData(new byte[783], new int[]{0}, 28, 28));
        assertEquals(1, data.first(1).size());
    }
}

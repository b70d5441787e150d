package org.speedlimits.data;

/**
 * MNIST digits as read from IDX files: {@code pixels} holds size()·rows·cols grey levels (unsigned bytes 0–255,
 * 0 = background), image after image, each row-major; {@code labels} the digits 0–9. The arrays are not copied:
 * treat them as read-only.
 */
public record MnistData(byte[] pixels, int[] labels, int rows, int cols) {
    public MnistData {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("image size must be positive, got " + rows + "x" + cols);
        }
        if (pixels.length != (long) labels.length * rows * cols) {
            throw new IllegalArgumentException(pixels.length + " pixel bytes do not make " + labels.length + " images of "
                    + rows + "x" + cols);
        }
    }

    public int size() {
        return labels.length;
    }

    /** Grey level 0–255 of image i at (row, col). */
    public int pixel(int i, int row, int col) {
        return pixels[(i * rows + row) * cols + col] & 0xFF;
    }

    /** Mean grey level of image i on the [0, 1] scale (grey / 255). */
    public double meanGrey(int i) {
        int n = rows * cols;
        long sum = 0;
        for (int k = i * n; k < (i + 1) * n; k++) {
            sum += pixels[k] & 0xFF;
        }
        return sum / (255.0 * n);
    }

    /**
     * Coarse-grained inputs: each image cut into non-overlapping {@code block}×{@code block} squares, each square
     * replaced by the mean of its grey levels scaled to [0, 1] (grey / 255). Block b = 4 takes MNIST's 28×28 to the
     * 7×7 of paper 003, Sec. 4.2 (which does not say how it coarse-grains; block means keep the [0, 1] scale and are
     * what a 4×4 average pooling does). No standardisation, no bias feature.
     *
     * @return size()·(rows/b)·(cols/b) values: image i's coarse pixel (R, C) at {@code i·(rows/b)·(cols/b) + R·(cols/b) + C}
     */
    public double[] coarseGrained(int block) {
        if (block < 1 || rows % block != 0 || cols % block != 0) {
            throw new IllegalArgumentException("block size " + block + " does not divide the " + rows + "x" + cols
                    + " images");
        }
        int outRows = rows / block, outCols = cols / block, out = outRows * outCols;
        double scale = 1.0 / (255.0 * block * block);
        double[] x = new double[Math.multiplyExact(size(), out)];
        for (int i = 0; i < size(); i++) {
            for (int r = 0; r < rows; r++) {
                int rowStart = (i * rows + r) * cols;
                int target = i * out + (r / block) * outCols;
                for (int c = 0; c < cols; c++) {
                    x[target + c / block] += pixels[rowStart + c] & 0xFF;
                }
            }
        }
        for (int k = 0; k < x.length; k++) {
            x[k] *= scale; // integer sums until here: exact, then one rounding
        }
        return x;
    }

    /** The first n digits (copies). */
    public MnistData first(int n) {
        if (n < 0 || n > size()) {
            throw new IllegalArgumentException("asked for the first " + n + " of " + size() + " digits");
        }
        return new MnistData(java.util.Arrays.copyOf(pixels, n * rows * cols), java.util.Arrays.copyOf(labels, n),
                rows, cols);
    }
}

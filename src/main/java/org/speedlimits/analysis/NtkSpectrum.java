package org.speedlimits.analysis;

import org.speedlimits.io.Npy;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One NTK stage output {@code <run>/ntk/epoch_<E>.npy} (float64 [m, 4]: eigenvalue of the raw Gram J J^T,
 * proj2 = sum_a (v_k^T r_a)^2, overlap = proj2/|r|^2, cumulative overlap; rows by eigenvalue descending), or the
 * same table from {@code epoch_<E>.csv} when there is no .npy.
 */
public record NtkSpectrum(long epoch, double[] eigenvalue, double[] proj2, double[] overlap) {

    public int size() {
        return eigenvalue.length;
    }

    public static NtkSpectrum read(Path file, long epoch) {
        double[][] table;
        try {
            table = file.toString().endsWith(".npy") ? fromNpy(file) : fromCsv(file);
        } catch (IOException | RuntimeException e) {
            throw new AnalysisException("cannot read NTK spectrum " + file + ": " + e.getMessage(), e);
        }
        int m = table.length;
        double[] lambda = new double[m], proj2 = new double[m], overlap = new double[m];
        for (int k = 0; k < m; k++) {
            if (table[k].length < 3) {
                throw new AnalysisException(file + " row " + (k + 1) + " has " + table[k].length
                        + " columns; expected eigenvalue, proj2, overlap, cum_overlap");
            }
            lambda[k] = table[k][0];
            proj2[k] = table[k][1];
            overlap[k] = table[k][2];
            if (k > 0 && lambda[k] > lambda[k - 1] * (1 + 1e-12) + 1e-300) {
                throw new AnalysisException(file + ": eigenvalues are not sorted descending (row " + (k + 1) + ")");
            }
        }
        return new NtkSpectrum(epoch, lambda, proj2, overlap);
    }

    private static double[][] fromNpy(Path file) throws IOException {
        INDArray a = Npy.read(file);
        if (a.rank() != 2 || a.columns() < 3) {
            throw new IOException("expected a [m, 4] array, got shape " + java.util.Arrays.toString(a.shape()));
        }
        return a.toDoubleMatrix();
    }

    /** Columns k,eigenvalue,proj2,overlap,cum_overlap (k dropped). */
    private static double[][] fromCsv(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).startsWith("k,eigenvalue,proj2,overlap")) {
            throw new IOException("expected header k,eigenvalue,proj2,overlap,cum_overlap");
        }
        return lines.subList(1, lines.size()).stream().filter(l -> !l.isBlank()).map(l -> {
            String[] cells = l.split(",");
            double[] row = new double[cells.length - 1];
            for (int i = 1; i < cells.length; i++) row[i - 1] = Double.parseDouble(cells[i]);
            return row;
        }).toArray(double[][]::new);
    }
}

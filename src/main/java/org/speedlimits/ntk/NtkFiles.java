package org.speedlimits.ntk;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.io.Npy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;

/**
 * {@code <run>/ntk/}: per computed epoch E, {@code epoch_<E>.npy} (float64 [m, 4]: eigenvalue, proj2, overlap,
 * cumulative overlap; rows by eigenvalue descending), the same as {@code epoch_<E>.csv}, optionally
 * {@code epoch_<E>_eigenvectors.npy} (float64 [side, m], column k = eigenvector k), and one row per epoch in
 * {@code summary.csv} (replaced when an epoch is recomputed, sorted by epoch). Every file is written atomically.
 */
public final class NtkFiles {
    public static final String DIR = "ntk";
    public static final String SUMMARY = "summary.csv";
    public static final String SPECTRUM_HEADER = "k,eigenvalue,proj2,overlap,cum_overlap";
    public static final String SUMMARY_HEADER =
            "epoch,kernel,n,outputs,trace,lambda_max,lambda_min,residue_norm2,train_loss,test_acc,seconds";

    private NtkFiles() {
    }

    public static Path spectrumFile(Path runDir, long epoch) {
        return runDir.resolve(DIR).resolve("epoch_" + epoch + ".npy");
    }

    /** The [m, 4] table of a result. */
    public static INDArray table(NtkAnalysis.Result r) {
        int m = r.eigenvalues().length;
        INDArray t = Nd4j.create(DataType.DOUBLE, m, 4);
        double cumulative = 0;
        for (int k = 0; k < m; k++) {
            cumulative += r.overlap(k);
            t.putScalar(k, 0, r.eigenvalues()[k]);
            t.putScalar(k, 1, r.proj2()[k]);
            t.putScalar(k, 2, r.overlap(k));
            t.putScalar(k, 3, cumulative);
        }
        return t;
    }

    public static void write(Path runDir, long epoch, NtkAnalysis.Result r, double trainLoss, double testAccuracy,
                             double seconds) throws IOException {
        Path dir = runDir.resolve(DIR);
        Files.createDirectories(dir);
        INDArray t = table(r);
        Npy.write(spectrumFile(runDir, epoch), t);
        StringBuilder csv = new StringBuilder(SPECTRUM_HEADER).append('\n');
        for (int k = 0; k < t.rows(); k++) {
            csv.append(k + 1);
            for (int c = 0; c < 4; c++) {
                csv.append(',').append(number(t.getDouble(k, c)));
            }
            csv.append('\n');
        }
        Npy.writeAtomically(dir.resolve("epoch_" + epoch + ".csv"), csv.toString().getBytes(StandardCharsets.UTF_8));
        if (r.eigenvectors() != null) {
            Npy.write(dir.resolve("epoch_" + epoch + "_eigenvectors.npy"), r.eigenvectors());
        }
        double[] lambda = r.eigenvalues();
        String row = String.join(",", Long.toString(epoch), ExperimentConfig.yamlName(r.kernel()),
                Integer.toString(r.n()), Integer.toString(r.outputs()), number(r.trace()), number(lambda[0]),
                number(lambda[lambda.length - 1]), number(r.residueNorm2()), number(trainLoss), number(testAccuracy),
                number(seconds));
        updateSummary(dir.resolve(SUMMARY), epoch, row);
    }

    /** Replaces (or adds) the row of {@code epoch} and keeps the rows sorted by epoch. */
    private static void updateSummary(Path file, long epoch, String row) throws IOException {
        TreeMap<Long, String> rows = new TreeMap<>();
        if (Files.exists(file)) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                if (!line.isBlank()) {
                    rows.put(Long.parseLong(line.substring(0, line.indexOf(','))), line);
                }
            }
        }
        rows.put(epoch, row);
        StringBuilder out = new StringBuilder(SUMMARY_HEADER).append('\n');
        rows.values().forEach(l -> out.append(l).append('\n'));
        Npy.writeAtomically(file, out.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Shortest round-trip decimal; NaN (not measured) is an empty cell. */
    static String number(double v) {
        return org.speedlimits.io.EpochCsv.format(v);
    }
}

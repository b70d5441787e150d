package org.speedlimits.ntk;

import org.speedlimits.config.NtkSchedule;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.io.EpochCsv;
import org.speedlimits.model.ModelFactory;
import org.speedlimits.model.Network;
import org.speedlimits.train.EpochContext;
import org.speedlimits.train.EpochListener;
import org.speedlimits.model.SquaredErrorLoss;
import org.speedlimits.data.Split;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Computes the NTK spectrum during training at the epochs of {@code ntk.epochs} and writes {@code <run>/ntk/}. It
 * works on its own float64 copy of the network (theta cast from the live parameters, which are only read), so it
 * changes neither theta nor the bit-exact resume. On resume, warm thresholds already reached before the resume epoch
 * (according to metrics.csv) are not triggered again.
 */
public final class NtkHook implements EpochListener {
    private static final Logger LOG = LoggerFactory.getLogger(NtkHook.class);

    private final Path runDir;
    private final ExperimentConfig config;
    private final Split train;
    private final NtkSchedule schedule;
    private final Set<Double> reached = new HashSet<>();
    private Network network64;

    private NtkHook(Path runDir, ExperimentConfig config, Split train) {
        this.runDir = runDir;
        this.config = config;
        this.train = train;
        this.schedule = NtkSchedule.parse(config.ntk().epochs(), config.train().epochs(), config.train().lr(), "ntk.epochs");
    }

    /** The hook for a run resumed at {@code startEpoch} (0 for a fresh start). */
    public static NtkHook open(Path runDir, ExperimentConfig config, Split train, long startEpoch) {
        NtkHook hook = new NtkHook(runDir, config, train);
        for (double threshold : hook.schedule.warmThresholds()) {
            long warm = firstEpochReaching(runDir.resolve("metrics.csv"), threshold);
            if (warm >= 0 && warm < startEpoch) {
                hook.reached.add(threshold);
            }
        }
        return hook;
    }

    @Override
    public void onEpoch(EpochContext context) {
        long epoch = context.epoch();
        double accuracy = context.record().testAccuracy();
        boolean due = schedule.epochs().contains(epoch);
        for (double threshold : schedule.warmThresholds()) {
            if (!reached.contains(threshold) && !Double.isNaN(accuracy) && accuracy >= threshold) {
                reached.add(threshold);
                LOG.info("epoch {}: test accuracy {} reached warm:{}", epoch, accuracy, threshold);
                due = true;
            }
        }
        if (due) {
            if (network64 == null) {
                network64 = ModelFactory.build(config.model(), config.seed(), DataType.DOUBLE);
            }
            computeAndWrite(runDir, config, network64, train, context.theta(), epoch, accuracy);
        }
    }

    /** Sets the float64 network to theta, computes the spectrum and writes the files of this epoch. */
    public static NtkAnalysis.Result computeAndWrite(Path runDir, ExperimentConfig config, Network network64, Split train,
                                                     INDArray theta, long epoch, double testAccuracy) {
        long start = System.nanoTime();
        network64.net().setParams(theta.castTo(DataType.DOUBLE).reshape(1, -1));
        NtkAnalysis.Result r = NtkAnalysis.compute(network64, train, config.ntk(), config.seed() + epoch);
        double seconds = (System.nanoTime() - start) * 1e-9;
        double trainLoss = new SquaredErrorLoss(config.train().loss()).factor(r.n()) * r.residueNorm2();
        try {
            NtkFiles.write(runDir, epoch, r, trainLoss, testAccuracy, seconds);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + runDir.resolve(NtkFiles.DIR), e);
        }
        LOG.info(String.format(Locale.ROOT, "epoch %d: NTK (%s, side %d, %d eigenpairs) trace %.6g, lambda_max %.6g, "
                        + "top-1 overlap %.4f, %.1f s -> %s", epoch, ExperimentConfig.yamlName(r.kernel()),
                r.eigenvalues().length == 0 ? 0 : (r.kernel() == ExperimentConfig.NtkKernel.TRACE ? r.n() : (long) r.n() * r.outputs()),
                r.eigenvalues().length, r.trace(), r.eigenvalues()[0], r.overlap(0), seconds,
                NtkFiles.spectrumFile(runDir, epoch)));
        return r;
    }

    /** First epoch in metrics.csv whose test accuracy is at least the threshold, or -1. */
    public static long firstEpochReaching(Path metrics, double threshold) {
        if (!Files.exists(metrics)) {
            return -1;
        }
        try {
            List<String> header = EpochCsv.header(metrics);
            int column = header.indexOf("test_acc");
            for (double[] row : EpochCsv.read(metrics)) {
                if (!Double.isNaN(row[column]) && row[column] >= threshold) {
                    return (long) row[0];
                }
            }
            return -1;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + metrics, e);
        }
    }

    /** Test accuracy recorded in metrics.csv at an epoch (NaN if not evaluated or absent). */
    public static double testAccuracyAt(Path metrics, long epoch) {
        if (!Files.exists(metrics)) {
            return Double.NaN;
        }
        try {
            int column = EpochCsv.header(metrics).indexOf("test_acc");
            for (double[] row : EpochCsv.read(metrics)) {
                if ((long) row[0] == epoch) {
                    return row[column];
                }
            }
            return Double.NaN;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + metrics, e);
        }
    }
}

package org.speedlimits.bench;

import org.speedlimits.config.TargetEncoding;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.data.TrainingData;
import org.speedlimits.data.Preprocessing;
import org.speedlimits.hooks.AnchorDistances;
import org.speedlimits.hooks.LayerDistances;
import org.speedlimits.hooks.WeightTriplets;
import org.speedlimits.model.ModelFactory;
import org.speedlimits.model.Network;
import org.speedlimits.run.Backend;
import org.speedlimits.train.EpochListener;
import org.speedlimits.train.EpochSchedule;
import org.speedlimits.train.Trainer;
import org.speedlimits.train.Measure;
import org.speedlimits.train.MetricsWriter;
import org.speedlimits.train.ProgressLogger;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Benchmark (not a test): per-epoch cost of the measurement hooks. Myrtle-5, C = 32, n = 500 (real CIFAR-10),
 * float32; the same network trains in interleaved blocks with no hooks and with every per-epoch hook on (metrics.csv,
 * path length, 3 anchor distances, per-layer distances, 6 weight triplets every epoch, the progress logger). Prints
 * median seconds per epoch of each and the overhead ratio (bench/run.sh puts it into bench/results.md).
 * <pre>mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.speedlimits.bench.HookOverheadBenchmark</pre>
 */
public final class HookOverheadBenchmark {
    public static void main(String[] args) throws Exception {
        int width = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int repetitions = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int epochsPerBlock = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        Backend.initialise();
        var dataConfig = new ExperimentConfig.Data("data/cifar-10-batches-bin", 500, 0, true, TargetEncoding.ONEHOT);
        TrainingData data = TrainingData.load(dataConfig, DataType.FLOAT);
        Network network = ModelFactory.build(new ExperimentConfig.Model(ExperimentConfig.ModelType.MYRTLE, 5, width,
                ExperimentConfig.Activation.RELU, ExperimentConfig.Parameterization.STANDARD, Math.sqrt(2), false, 0),
                0, DataType.FLOAT);
        var train = new ExperimentConfig.Train(epochsPerBlock, 1e-3, ExperimentConfig.LossNormalization.MEAN,
                ExperimentConfig.Precision.FLOAT32, 1000, 1_000_000, 0, 0, 1e9, 1e3, WorkloadBenchmark.ENGINE);
        Trainer trainer = new Trainer(network, data.train(), data.test(), train);
        Path dir = Files.createTempDirectory("hook-bench");
        INDArray theta0 = network.net().params().dup();
        double[] off = new double[repetitions];
        double[] on = new double[repetitions];
        trainer.run(0, theta0, Double.NaN, List.of(), List.of(), () -> false); // warm-up
        for (int r = 0; r < repetitions; r++) {
            long t0 = System.nanoTime();
            trainer.run(0, theta0, Double.NaN, List.of(), List.of(), () -> false);
            off[r] = (System.nanoTime() - t0) * 1e-9 / (epochsPerBlock + 1);

            List<Measure> measures = List.of(
                    new AnchorDistances(new TreeSet<>(List.of(1L, 2L, 4L)), network.parameterization()),
                    new LayerDistances(network, theta0));
            List<EpochListener> listeners = new ArrayList<>();
            listeners.add(MetricsWriter.open(dir.resolve("metrics.csv"), measures, List.of(), 0));
            listeners.add(WeightTriplets.open(dir.resolve("triplets.csv"), 0, 6, network.numParams(),
                    new EpochSchedule(epochsPerBlock, 1, 0), 0));
            listeners.add(new ProgressLogger(0, epochsPerBlock, 0, 10));
            t0 = System.nanoTime();
            trainer.run(0, theta0, Double.NaN, measures, listeners, () -> false);
            on[r] = (System.nanoTime() - t0) * 1e-9 / (epochsPerBlock + 1);
            System.out.printf(Locale.ROOT, "repetition %d: %.4f s/epoch without hooks, %.4f s/epoch with hooks%n", r, off[r], on[r]);
        }
        // the hooks alone, called on one fixed epoch context: less exposed to machine noise than the difference
        List<Measure> measures = List.of(
                new AnchorDistances(new TreeSet<>(List.of(1L, 2L, 4L)), network.parameterization()),
                new LayerDistances(network, theta0));
        MetricsWriter metrics = MetricsWriter.open(dir.resolve("metrics-alone.csv"), measures, List.of(), 0);
        WeightTriplets triplets = WeightTriplets.open(dir.resolve("triplets-alone.csv"), 0, 6, network.numParams(),
                new EpochSchedule(1_000_000, 1, 0), 0);
        var evaluation = trainer.evaluateTrainingSet();
        int calls = 200;
        double[] hookSeconds = new double[repetitions];
        for (int r = 0; r < repetitions; r++) {
            long t0 = System.nanoTime();
            for (int k = r * calls; k < (r + 1) * calls; k++) {
                var record = new org.speedlimits.train.EpochRecord(k, k * 1e-3, evaluation.loss(), evaluation.accuracy(),
                        Double.NaN, Double.NaN, network.parameterization().gradientNormSquared(evaluation.gradient()),
                        network.parameterization().distanceSquared(network.net().params(), theta0), 0, k + 1, k,
                        new double[0], 0, new double[0]);
                var context = new org.speedlimits.train.EpochContext(record, network, evaluation.gradient(), 1e-3, false);
                double[] extras = new double[0];
                for (Measure m : measures) {
                    double[] v = m.measure(context);
                    extras = Arrays.copyOf(extras, extras.length + v.length);
                    System.arraycopy(v, 0, extras, extras.length - v.length, v.length);
                }
                var full = new org.speedlimits.train.EpochContext(record.withExtras(extras), network,
                        evaluation.gradient(), 1e-3, false);
                metrics.onEpoch(full);
                triplets.onEpoch(full);
            }
            hookSeconds[r] = (System.nanoTime() - t0) * 1e-9 / calls;
        }
        System.out.printf(Locale.ROOT, "hooks alone (incl. dist2_init and grad_norm2): %.5f s per epoch = %.2f%% of a "
                + "%.4f s epoch%n", median(hookSeconds), 100 * median(hookSeconds) / median(off), median(off));
        double medianOff = median(off);
        double medianOn = median(on);
        System.out.printf(Locale.ROOT, "Myrtle-5 C=%d n=500 float32, %d params: median %.4f s/epoch without hooks, "
                        + "%.4f s/epoch with all per-epoch hooks: overhead %.2f%%%n", width, network.numParams(),
                medianOff, medianOn, 100 * (medianOn / medianOff - 1));
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
    }
}

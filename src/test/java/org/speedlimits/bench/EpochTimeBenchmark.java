package org.speedlimits.bench;

import org.speedlimits.config.TargetEncoding;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.data.Preprocessing;
import org.speedlimits.data.TrainingData;
import org.speedlimits.model.ModelFactory;
import org.speedlimits.model.Network;
import org.speedlimits.run.Backend;
import org.speedlimits.train.Trainer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Benchmark (not a test): seconds per full-batch GD epoch of Myrtle-5 (float32, no hooks, no test set) at several
 * widths C and training-set sizes n, against the FLOP count of one epoch, 3·n·(24192·C² + 55316·C) (forward
 * 2·MACs = 2·(12096·C² + 27658·C) per image, backward ≈ 2× forward). Prints wall and process-CPU seconds per
 * epoch; CPU seconds / cores estimates the idle-machine wall time even while other users load the machine. Then a
 * least-squares fit t = a + b·FLOP of those, the scaling the README's cost table extrapolates with.
 * <pre>mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.speedlimits.bench.EpochTimeBenchmark -Dexec.args="3 16x250,16x500,16x932,32x500,64x500,128x250"</pre>
 * Args: epochs per timing (median of that many single epochs after one warm-up), then CxN points.
 */
public final class EpochTimeBenchmark {
    public static void main(String[] args) {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        String points = args.length > 1 ? args[1] : "16x250,16x500,16x932,32x500,64x500,128x250";
        Backend.initialise();
        List<double[]> rows = new ArrayList<>(); // {C, n, flop, core-seconds / cores}
        int cores = Runtime.getRuntime().availableProcessors();
        for (String point : points.split(",")) {
            int width = Integer.parseInt(point.split("x")[0]);
            int n = Integer.parseInt(point.split("x")[1]);
            double[] wallAndCpu = secondsPerEpoch(width, n, epochs);
            double flop = flopPerEpoch(width, n);
            // CPU time / cores = the wall time on an idle machine (if the cores scale), robust to other users' load
            double idle = wallAndCpu[1] / cores;
            rows.add(new double[]{width, n, flop, idle});
            System.out.printf(Locale.ROOT, "C=%4d n=%5d  %.3e FLOP/epoch  wall %.4f s/epoch  cpu %.4f core-s/epoch"
                            + "  -> idle %d-core %.4f s/epoch, %.1f GFLOP/s%n",
                    width, n, flop, wallAndCpu[0], wallAndCpu[1], cores, idle, flop / idle / 1e9);
        }
        // least squares t = a + b * flop
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (double[] r : rows) {
            sx += r[2];
            sy += r[3];
            sxx += r[2] * r[2];
            sxy += r[2] * r[3];
        }
        int k = rows.size();
        double b = (k * sxy - sx * sy) / (k * sxx - sx * sx);
        double a = (sy - b * sx) / k;
        System.out.printf(Locale.ROOT, "fit: t = %.4f s + FLOP / %.1f GFLOP/s%n", a, 1e-9 / b);
        for (double[] r : rows) {
            System.out.printf(Locale.ROOT, "  C=%d n=%d measured %.4f s, fit %.4f s%n", (int) r[0], (int) r[1], r[3], a + b * r[2]);
        }
        for (int n : new int[]{500, 1250, 2500, 5000}) {
            double t = a + b * flopPerEpoch(128, n);
            System.out.printf(Locale.ROOT, "extrapolated C=128 n=%d: %.2f s/epoch, %.1f days for 200k epochs%n",
                    n, t, t * 200_000 / 86400);
        }
    }

    /** FLOP of one full-batch GD epoch (forward + backward) of Myrtle-5 with width C on n images. */
    public static double flopPerEpoch(int width, int n) {
        return 3.0 * n * (24192.0 * width * width + 55316.0 * width);
    }

    /** Median {wall seconds, process CPU seconds} per epoch. */
    static double[] secondsPerEpoch(int width, int n, int epochs) {
        var dataConfig = new ExperimentConfig.Data("data/cifar-10-batches-bin", n, 0, true, TargetEncoding.ONEHOT);
        TrainingData data = TrainingData.load(dataConfig, DataType.FLOAT);
        Network network = ModelFactory.build(new ExperimentConfig.Model(ExperimentConfig.ModelType.MYRTLE, 5, width,
                ExperimentConfig.Activation.RELU, ExperimentConfig.Parameterization.STANDARD, Math.sqrt(2), false, 0),
                0, DataType.FLOAT);
        // one GD step per run: run(0, ...) evaluates epoch 0 and takes one step, i.e. two gradient evaluations
        var train = new ExperimentConfig.Train(1, 1e-4, ExperimentConfig.LossNormalization.MEAN,
                ExperimentConfig.Precision.FLOAT32, 1000, 1_000_000, 0, 0, 1e9, 1e3, WorkloadBenchmark.ENGINE);
        Trainer trainer = new Trainer(network, data.train(), data.test(), train);
        INDArray theta0 = network.net().params().dup();
        trainer.run(0, theta0, Double.NaN, List.of(), List.of(), () -> false); // warm-up
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        double[] wall = new double[epochs];
        double[] cpu = new double[epochs];
        for (int r = 0; r < epochs; r++) {
            long t0 = System.nanoTime();
            long c0 = os.getProcessCpuTime();
            trainer.run(0, theta0, Double.NaN, List.of(), List.of(), () -> false);
            wall[r] = (System.nanoTime() - t0) * 1e-9 / 2;
            cpu[r] = (os.getProcessCpuTime() - c0) * 1e-9 / 2;
        }
        return new double[]{HookOverheadBenchmark.median(wall), HookOverheadBenchmark.median(cpu)};
    }
}

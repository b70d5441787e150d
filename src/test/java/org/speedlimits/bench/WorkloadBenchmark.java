package org.speedlimits.bench;

import org.speedlimits.config.TargetEncoding;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.data.Preprocessing;
import org.speedlimits.data.TrainingData;
import org.speedlimits.model.ModelFactory;
import org.speedlimits.model.Network;
import org.speedlimits.run.Backend;
import org.speedlimits.train.EpochListener;
import org.speedlimits.train.Trainer;
import org.speedlimits.data.Split;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Benchmark (not a test): one workload per JVM, timed the way a run does it, for bench/run.sh, which interleaves it
 * with the same workload in bench/reference.py (PyTorch/NumPy) and computes the ratios. Prints one line
 * <pre>RESULT &lt;workload&gt; key=value ... median_s=&lt;s&gt; times=&lt;s,s,...&gt;</pre>
 * Workloads (arguments after the name):
 * <ul>
 *   <li>{@code myrtle5 C n epochs [chunk]}: full-batch GD epochs of {@link Trainer} (gradient pass over
 *   all n images in chunks, loss, accuracy, grad_norm2, dist2_init, update), float32, real CIFAR-10 images; the time
 *   of one epoch is the time between consecutive epoch callbacks (the first gradient pass is the warm-up);</li>
 *   <li>{@code fcn width depth n epochs}: the same for the fully connected network (ReLU);</li>
 *   <li>{@code eigh n reps}: eigendecomposition of a random symmetric n x n float64 matrix (eigenvalues and
 *   eigenvectors) with the project's {@link org.speedlimits.ntk.SymmetricEigen#eigh} (LAPACK dsytrd + dstedc from
 *   bytedeco's OpenBLAS, GEMM back-transformation; dsyevd itself is wrong there, see that class);</li>
 *   <li>{@code gemm size reps}: float32 C = A B of square matrices with ND4J's mmul (reports GFLOP/s);</li>
 *   <li>{@code ntk-gram C n}: the float64 trace-kernel NTK Gram of Myrtle-5 on n Gaussian inputs.</li>
 * </ul>
 * Extension point: add a workload to {@link #WORKLOADS} and the function of the same name to bench/reference.py,
 * then list it in bench/run.sh.
 * <pre>mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.speedlimits.bench.WorkloadBenchmark -Dexec.args="myrtle5 16 500 5"</pre>
 */
public final class WorkloadBenchmark {
    interface Workload {
        /** Seconds per repetition (epochs, decompositions, products) and extra key=value pairs to print. */
        double[] run(String[] args, Map<String, String> info);
    }

    static final Map<String, Workload> WORKLOADS = new LinkedHashMap<>();
    /** The training gradient engine of the training workloads (train.engine; -Dbench.engine=dl4j for A/B runs). */
    static final ExperimentConfig.GradientEngine ENGINE = ExperimentConfig.GradientEngine.valueOf(
            System.getProperty("bench.engine", "auto").toUpperCase(java.util.Locale.ROOT));

    static {
        WORKLOADS.put("myrtle5", (a, info) -> trainEpochs(new ExperimentConfig.Model(ExperimentConfig.ModelType.MYRTLE,
                        5, Integer.parseInt(a[0]), ExperimentConfig.Activation.RELU,
                        ExperimentConfig.Parameterization.STANDARD, Math.sqrt(2), false, 0),
                Integer.parseInt(a[1]), Integer.parseInt(a[2]), a.length > 3 ? Integer.parseInt(a[3]) : 1000, info));
        WORKLOADS.put("fcn", (a, info) -> trainEpochs(new ExperimentConfig.Model(ExperimentConfig.ModelType.FCN,
                        Integer.parseInt(a[1]), Integer.parseInt(a[0]), ExperimentConfig.Activation.RELU,
                        ExperimentConfig.Parameterization.STANDARD, Math.sqrt(2), false, 0),
                Integer.parseInt(a[2]), Integer.parseInt(a[3]), 1000, info));
        WORKLOADS.put("eigh", (a, info) -> eigh(Integer.parseInt(a[0]), Integer.parseInt(a[1]), info));
        WORKLOADS.put("gemm", (a, info) -> gemm(Integer.parseInt(a[0]), Integer.parseInt(a[1]), info));
        WORKLOADS.put("ntk-gram", (a, info) -> ntkGram(Integer.parseInt(a[0]), Integer.parseInt(a[1]), info));
    }

    public static void main(String[] args) {
        if (args.length == 0 || !WORKLOADS.containsKey(args[0])) {
            System.err.println("usage: WorkloadBenchmark <" + String.join("|", WORKLOADS.keySet()) + "> args...");
            System.exit(2);
        }
        Backend.initialise();
        Map<String, String> info = new LinkedHashMap<>();
        double[] seconds = WORKLOADS.get(args[0]).run(Arrays.copyOfRange(args, 1, args.length), info);
        StringBuilder line = new StringBuilder("RESULT " + args[0]);
        info.forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
        line.append(String.format(Locale.ROOT, " median_s=%.6f times=", median(seconds)));
        for (int i = 0; i < seconds.length; i++) {
            line.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.6f", seconds[i]));
        }
        System.out.println(line);
        System.exit(0); // ND4J leaves non-daemon threads behind
    }

    /** Seconds of each of {@code epochs} GD epochs (step + next gradient pass), measured between epoch callbacks. */
    static double[] trainEpochs(ExperimentConfig.Model model, int n, int epochs, int chunk, Map<String, String> info) {
        TrainingData data = TrainingData.load(new ExperimentConfig.Data("data/cifar-10-batches-bin", n, 0, true,
                TargetEncoding.ONEHOT), DataType.FLOAT);
        Network network = ModelFactory.build(model, 0, DataType.FLOAT);
        var train = new ExperimentConfig.Train(epochs, 1e-4, ExperimentConfig.LossNormalization.MEAN,
                ExperimentConfig.Precision.FLOAT32, chunk, 1_000_000, 0, 0, 1e9, 1e9, ENGINE);
        Trainer trainer = new Trainer(network, data.train(), data.test(), train);
        List<Long> stamps = new ArrayList<>();
        EpochListener clock = context -> stamps.add(System.nanoTime());
        trainer.run(List.of(clock));
        double[] seconds = new double[epochs];
        for (int i = 0; i < epochs; i++) { // stamps[0] ends the first gradient pass, which is the warm-up
            seconds[i] = (stamps.get(i + 1) - stamps.get(i)) * 1e-9;
        }
        info.put("width", String.valueOf(model.width()));
        info.put("n", String.valueOf(n));
        info.put("chunk", String.valueOf(chunk));
        info.put("params", String.valueOf(network.numParams()));
        info.put("threads", String.valueOf(Nd4j.getEnvironment().maxMasterThreads()));
        info.put("engine", trainer.engineName());
        return seconds;
    }

    /**
     * The float64 trace-kernel Gram of Myrtle-5 on n Gaussian inputs, timed once as {@link NtkBenchmark} does it
     * (which also compares the matrix itself with PyTorch's).
     */
    static double[] ntkGram(int width, int n, Map<String, String> info) {
        NtkBenchmark.TimedGram timed = NtkBenchmark.timedTraceGram(NtkBenchmark.myrtle5Float64(width),
                NtkBenchmark.gaussian(new long[]{n, 3, 32, 32}, 1));
        INDArray gram = timed.gram();
        double seconds = timed.seconds();
        if (gram.rows() != n || !Double.isFinite(gram.sumNumber().doubleValue())) {
            throw new IllegalStateException("ntk-gram: bad Gram matrix " + java.util.Arrays.toString(gram.shape()));
        }
        info.put("width", String.valueOf(width));
        info.put("n", String.valueOf(n));
        return new double[]{seconds};
    }

    /**
     * The project's eigensolver ({@link org.speedlimits.ntk.SymmetricEigen#eigh}: dsytrd + dstedc + GEMM
     * back-transformation, used for every NTK spectrum) on a random symmetric matrix; checks A v = lambda v for the top
     * pair so a wrong result cannot pass.
     */
    static double[] eigh(int n, int reps, Map<String, String> info) {
        SplittableRandom rng = new SplittableRandom(1);
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                a[i * n + j] = a[j * n + i] = rng.nextGaussian();
            }
        }
        double[] seconds = new double[reps];
        org.speedlimits.ntk.SymmetricEigen.Eigenpairs pairs = null;
        for (int r = 0; r < reps; r++) {
            INDArray matrix = Nd4j.createFromArray(a).reshape(n, n); // eigh overwrites its input
            long t0 = System.nanoTime();
            pairs = org.speedlimits.ntk.SymmetricEigen.eigh(matrix);
            seconds[r] = (System.nanoTime() - t0) * 1e-9;
        }
        double[] w = pairs.values(); // descending
        double[] v = pairs.vectors().getColumn(0).toDoubleVector();
        double residual = 0;
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < n; j++) {
                s += a[i * n + j] * v[j];
            }
            residual = Math.max(residual, Math.abs(s - w[0] * v[i]));
        }
        if (!(residual <= 1e-8 * Math.abs(w[0]))) { // NaN fails too
            throw new IllegalStateException("eigh residual " + residual + " for lambda_max " + w[0]);
        }
        info.put("n", String.valueOf(n));
        info.put("lambda_max", String.format(Locale.ROOT, "%.6f", w[0]));
        // bytedeco's OpenBLAS has no thread setter; it reads OPENBLAS_NUM_THREADS / OMP_NUM_THREADS when loaded
        info.put("blas_threads", System.getenv().getOrDefault("OPENBLAS_NUM_THREADS",
                System.getenv().getOrDefault("OMP_NUM_THREADS", "all")));
        return seconds;
    }

    /** ND4J float32 mmul of random size x size matrices into a preallocated result; GFLOP/s = 2 size^3 / t. */
    static double[] gemm(int size, int reps, Map<String, String> info) {
        INDArray a = Nd4j.rand(DataType.FLOAT, size, size);
        INDArray b = Nd4j.rand(DataType.FLOAT, size, size);
        INDArray c = Nd4j.create(DataType.FLOAT, size, size);
        a.mmuli(b, c); // warm-up
        double[] seconds = new double[reps];
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            a.mmuli(b, c);
            seconds[r] = (System.nanoTime() - t0) * 1e-9;
        }
        info.put("size", String.valueOf(size));
        info.put("gflops", String.format(Locale.ROOT, "%.2f", 2.0 * size * size * size / median(seconds) * 1e-9));
        return seconds;
    }

    static double median(double[] v) {
        return HookOverheadBenchmark.median(v);
    }
}

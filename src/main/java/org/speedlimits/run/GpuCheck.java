package org.speedlimits.run;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.io.Npy;
import org.speedlimits.model.CudaLibraries;
import org.speedlimits.model.CudnnMyrtleGradient;
import org.speedlimits.model.ModelFactory;
import org.speedlimits.model.Network;
import org.speedlimits.model.OneDnnMyrtleGradient;
import org.speedlimits.model.ParameterBlock;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The checks bench/gpu/run-java.sh runs on a GPU node, and the CPU half they compare against:
 * <pre>
 *   dump DIR [WIDTH N]      (CPU) a Myrtle-5 with biases, N images, theta and oneDNN's gradient as .npy in DIR
 *   gradient DIR            (GPU) cuDNN's gradient at DIR's theta vs oneDNN's, block by block, FP32 and TF32;
 *                           FP32 twice, which must agree bit for bit; exit 1 beyond the tolerances
 *   epochs WIDTH N,N.. REPS (GPU) epoch times (gradient + host step) as JSON rows like bench/gpu_epoch.py's
 * </pre>
 * Tolerances (float32 against float32, different summation orders): each block's gradient within 1e-4 relative
 * (measured on the CPU: the float64 reference vs oneDNN is 2e-7), S within 1e-5 relative, the same argmax count.
 */
public final class GpuCheck {
    static final double GRADIENT_TOLERANCE = 1e-4;
    static final double LOSS_TOLERANCE = 1e-5;

    private GpuCheck() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            usage();
        }
        Backend.initialise();
        int status = switch (args[0]) {
            case "dump" -> dump(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 16,
                    args.length > 3 ? Integer.parseInt(args[3]) : 64);
            case "gradient" -> gradient(Path.of(args[1]));
            case "epochs" -> epochs(Integer.parseInt(args[1]), args[2], Integer.parseInt(args[3]));
            default -> usage();
        };
        System.exit(status);
    }

    private static int usage() {
        System.err.println("usage: GpuCheck dump DIR [WIDTH N] | gradient DIR | epochs WIDTH N[,N...] REPS");
        System.exit(2);
        return 2;
    }

    static Network myrtle5(int width, boolean bias, long seed) {
        return ModelFactory.build(new ExperimentConfig.Model(ExperimentConfig.ModelType.MYRTLE, 5, width,
                ExperimentConfig.Activation.RELU, ExperimentConfig.Parameterization.STANDARD, Math.sqrt(2), bias, 0.3),
                seed, DataType.FLOAT);
    }

    /** Random images and one-hot-minus-0.1 targets, from a seed. */
    static INDArray[] data(int n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.randn(DataType.FLOAT, n, 3, 32, 32);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 10).subi(0.1);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, (int) ((i * 7L + seed) % 10), 0.9);
        }
        return new INDArray[]{x, y};
    }

    /** Chunk size of the gradient check: several chunks, the last one padded. */
    static long checkChunk(int n) {
        return Math.max(1, (n * 2) / 5);
    }

    static int dump(Path dir, int width, int n) throws IOException {
        Files.createDirectories(dir);
        Network network = myrtle5(width, true, 3);
        INDArray[] xy = data(n, 5);
        INDArray g = Nd4j.create(DataType.FLOAT, network.numParams());
        OneDnnMyrtleGradient.Result r;
        try (OneDnnMyrtleGradient oneDnn = new OneDnnMyrtleGradient(network.net())) {
            r = oneDnn.compute(xy[0], xy[1], checkChunk(n), g);
        }
        Npy.write(dir.resolve("theta.npy"), network.net().params().reshape(network.numParams()));
        Npy.write(dir.resolve("x.npy"), xy[0]);
        Npy.write(dir.resolve("y.npy"), xy[1]);
        Npy.write(dir.resolve("grad_onednn.npy"), g);
        Files.writeString(dir.resolve("expected.txt"), String.format(Locale.ROOT,
                "width %d%nn %d%nsquared_error %.9g%ncorrect %d%n", width, n, r.squaredError(), r.correct()));
        System.out.printf(Locale.ROOT, "wrote %s: Myrtle-5 C=%d with biases, %d parameters, n=%d, S=%.6g, correct=%d%n",
                dir, width, network.numParams(), n, r.squaredError(), r.correct());
        return 0;
    }

    static int gradient(Path dir) throws IOException {
        List<String> expected = Files.readAllLines(dir.resolve("expected.txt"), StandardCharsets.UTF_8);
        int width = Integer.parseInt(value(expected, "width"));
        double squaredError = Double.parseDouble(value(expected, "squared_error"));
        long correct = Long.parseLong(value(expected, "correct"));
        Network network = myrtle5(width, true, 3);
        network.net().setParams(Npy.read(dir.resolve("theta.npy")).reshape(1, network.numParams()));
        INDArray x = Npy.read(dir.resolve("x.npy"));
        INDArray y = Npy.read(dir.resolve("y.npy"));
        INDArray reference = Npy.read(dir.resolve("grad_onednn.npy"));
        System.out.println(CudaLibraries.status().description());
        boolean ok = true;
        for (boolean tf32 : new boolean[]{false, true}) {
            try (CudnnMyrtleGradient cudnn = new CudnnMyrtleGradient(network.net(), tf32)) {
                INDArray g = Nd4j.create(DataType.FLOAT, network.numParams());
                CudnnMyrtleGradient.Result r = cudnn.compute(x, y, checkChunk((int) x.size(0)), g);
                double worst = 0;
                for (ParameterBlock b : network.blocks()) {
                    double e = relativeError(reference, g, b.offset(), b.length());
                    worst = Math.max(worst, e);
                    System.out.printf(Locale.ROOT, "%s %-22s relative error %.3g%n", tf32 ? "tf32" : "fp32", b.name(), e);
                }
                double lossError = Math.abs(r.squaredError() - squaredError) / squaredError;
                System.out.printf(Locale.ROOT, "%s worst block %.3g, S %.9g vs %.9g (relative %.3g), correct %d vs %d; "
                        + "algorithms %s%n", tf32 ? "tf32" : "fp32", worst, r.squaredError(), squaredError, lossError,
                        r.correct(), correct, cudnn.algorithms());
                if (!tf32) {
                    ok &= worst <= GRADIENT_TOLERANCE && lossError <= LOSS_TOLERANCE && r.correct() == correct;
                    INDArray again = Nd4j.create(DataType.FLOAT, network.numParams());
                    cudnn.compute(x, y, checkChunk((int) x.size(0)), again);
                    boolean identical = java.util.Arrays.equals(g.data().asFloat(), again.data().asFloat());
                    System.out.println("fp32 repeated evaluation bit-identical: " + identical);
                    ok &= identical;
                }
            }
        }
        System.out.println(ok ? "gradient check: PASS" : "gradient check: FAIL (fp32 tolerances: gradient "
                + GRADIENT_TOLERANCE + ", S " + LOSS_TOLERANCE + ", bit-identical repeat)");
        return ok ? 0 : 1;
    }

    /** Epoch = one full-batch gradient (one chunk) + theta -= lr * g on the host, as bench/gpu_epoch.py times it. */
    static int epochs(int width, String sizes, int reps) {
        String device = String.valueOf(CudaLibraries.status().description().get("gpu_name"));
        for (String size : sizes.split(",")) {
            int n = Integer.parseInt(size.trim());
            for (boolean tf32 : new boolean[]{false, true}) {
                Network network = myrtle5(width, false, 0);
                INDArray[] xy = data(n, 1);
                INDArray theta = network.net().params();
                try (CudnnMyrtleGradient cudnn = new CudnnMyrtleGradient(network.net(), tf32)) {
                    INDArray g = Nd4j.create(DataType.FLOAT, network.numParams());
                    Runnable epoch = () -> {
                        cudnn.compute(xy[0], xy[1], n, g);
                        theta.subi(g.muli(1e-3 / n));
                    };
                    for (int i = 0; i < 5; i++) {
                        epoch.run();
                    }
                    List<Double> times = new ArrayList<>();
                    for (int r = 0; r < reps; r++) {
                        long start = System.nanoTime();
                        for (int i = 0; i < 10; i++) {
                            epoch.run();
                        }
                        times.add((System.nanoTime() - start) / 1e9 / 10);
                    }
                    times.sort(null);
                    double median = times.get(times.size() / 2);
                    double flops = 3.0 * n * (24192.0 * width * width + 55316.0 * width);
                    System.out.printf(Locale.ROOT, "{\"impl\": \"java-cudnn\", \"device\": \"%s\", \"n\": %d, \"width\": %d, "
                                    + "\"tf32\": %b, \"epoch_s_median\": %.6g, \"epoch_s_min\": %.6g, \"epoch_s_max\": %.6g, "
                                    + "\"reps\": %d, \"tflops\": %.4g, \"flops_per_image_plan\": %d}%n", device, n, width,
                            tf32, median, times.get(0), times.get(times.size() - 1), reps, flops / median / 1e12,
                            cudnn.plan().flopsPerImage());
                }
            }
        }
        return 0;
    }

    private static String value(List<String> lines, String key) {
        for (String l : lines) {
            if (l.startsWith(key + " ")) {
                return l.substring(key.length() + 1).trim();
            }
        }
        throw new IllegalArgumentException("expected.txt has no '" + key + "' line");
    }

    static double relativeError(INDArray expected, INDArray actual, long offset, long length) {
        float[] e = expected.reshape(expected.length()).data().asFloat();
        float[] a = actual.reshape(actual.length()).data().asFloat();
        double diff = 0;
        double norm = 0;
        for (long i = offset; i < offset + length; i++) {
            double d = (double) e[(int) i] - a[(int) i];
            diff += d * d;
            norm += (double) e[(int) i] * e[(int) i];
        }
        return Math.sqrt(diff / Math.max(norm, 1e-300));
    }
}

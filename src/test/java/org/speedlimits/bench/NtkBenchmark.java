package org.speedlimits.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.config.ExperimentConfig.NtkKernel;
import org.speedlimits.io.Npy;
import org.speedlimits.model.ModelFactory;
import org.speedlimits.model.Network;
import org.speedlimits.ntk.EmpiricalNtk;
import org.speedlimits.ntk.SymmetricEigen;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Times the float64 trace-kernel Gram of Myrtle-5 (width C, n random inputs) and dense eigendecompositions against
 * a reference measured in the same run: {@code bench/ntk_reference.py} (torch.func jacrev + vmap, numpy eigh), both
 * sides on the same thread count. The reference also receives the same inputs and theta, so the two Gram matrices
 * are compared too. Targets: Gram <= 2x the reference, eigendecomposition <= 1.2x.
 *
 * <pre>
 * mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.speedlimits.bench.NtkBenchmark \
 *     -Dexec.args="16 500 2000,5000 2"
 * </pre>
 * args: width, n, eigendecomposition sizes ("-": none), threads. Environment: REFERENCE_LD_LIBRARY_PATH, the folder of
 * an optimised libblas.so.3/liblapack.so.3 for the reference (bench/run.sh unpacks Debian's OpenBLAS into
 * target/bench/openblas/usr/lib/x86_64-linux-gnu/openblas-pthread).
 */
public final class NtkBenchmark {
    public static void main(String[] args) throws Exception {
        int width = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        String eigSizes = args.length > 2 ? args[2] : "2000,5000";
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        Network net = myrtle5Float64(width);
        INDArray x = gaussian(new long[]{n, 3, 32, 32}, 1);
        Path dir = Files.createTempDirectory("ntk-bench");
        Npy.write(dir.resolve("x.npy"), x);
        Npy.write(dir.resolve("theta.npy"), net.net().params().reshape(-1).dup());

        TimedGram timed = timedTraceGram(net, x);
        INDArray gram = timed.gram();
        double javaGram = timed.seconds();
        System.out.printf(Locale.ROOT, "java: trace-kernel Gram, Myrtle-5 C=%d, n=%d, P=%d: %.2f s%n", width, n,
                net.numParams(), javaGram);

        if (eigSizes.equals("-")) {
            eigSizes = "";
        }
        String[] sizes = eigSizes.isBlank() ? new String[0] : eigSizes.split(",");
        double[] javaEig = new double[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            int m = Integer.parseInt(sizes[i].trim());
            INDArray g = gaussian(new long[]{m, m}, 2);
            INDArray sym = g.add(g.transpose());
            long t0 = System.nanoTime();
            SymmetricEigen.eigh(sym);
            javaEig[i] = (System.nanoTime() - t0) * 1e-9;
            System.out.printf(Locale.ROOT, "java: eigh n=%d: %.2f s%n", m, javaEig[i]);
        }

        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", "bench/ntk_reference.py",
                "--x", dir.resolve("x.npy").toString(), "--theta", dir.resolve("theta.npy").toString(),
                "--width", Integer.toString(width), "--out", dir.resolve("ref_gram.npy").toString(),
                "--eig", eigSizes, "--threads", Integer.toString(threads));
        pb.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
        pb.environment().put("OPENBLAS_NUM_THREADS", Integer.toString(threads));
        // Debian's torch/numpy link the generic libblas.so.3 (often the unoptimised reference BLAS): give the reference
        // an optimised one, as bench/run.sh does, through REFERENCE_LD_LIBRARY_PATH (set for the child only)
        String referenceLibs = System.getenv("REFERENCE_LD_LIBRARY_PATH");
        if (referenceLibs != null && !referenceLibs.isBlank()) {
            pb.environment().put("LD_LIBRARY_PATH", referenceLibs);
        } else {
            System.out.println("warning: REFERENCE_LD_LIBRARY_PATH not set: the reference uses the system's default "
                    + "BLAS, which may be Debian's slow reference BLAS (see bench/run.sh)");
        }
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("reference failed: " + out);
        }
        JsonNode ref = new ObjectMapper().readTree(out.substring(out.lastIndexOf('\n') + 1));
        INDArray refGram = Npy.read(dir.resolve("ref_gram.npy"));
        double diff = gram.sub(refGram).amaxNumber().doubleValue() / refGram.amaxNumber().doubleValue();
        double torchGram = ref.get("gram_seconds").asDouble();
        System.out.printf(Locale.ROOT, "Gram   n=%d C=%d: java %.2f s, torch.func %.2f s, ratio %.2f (target <= 2); "
                + "max |difference| / max |Gram| = %.2e%n", n, width, javaGram, torchGram, javaGram / torchGram, diff);
        for (int i = 0; i < sizes.length; i++) {
            double numpy = ref.get("eig_seconds").get(sizes[i].trim()).asDouble();
            System.out.printf(Locale.ROOT, "eigh   n=%s: java %.2f s, numpy %.2f s, ratio %.2f (target <= 1.2)%n",
                    sizes[i].trim(), javaEig[i], numpy, javaEig[i] / numpy);
        }
        System.out.printf(Locale.ROOT, "threads: java (OpenBLAS/ND4J) %s, reference %d; machine shared and noisy%n",
                System.getenv().getOrDefault("OMP_NUM_THREADS", "default (all cores)"), threads);
    }

    /** Myrtle-5 (width C, standard parameterisation, ReLU) in float64, seed 0: the network both NTK benchmarks time. */
    static Network myrtle5Float64(int width) {
        return ModelFactory.build(new ExperimentConfig.Model(ExperimentConfig.ModelType.MYRTLE, 5, width,
                ExperimentConfig.Activation.RELU, ExperimentConfig.Parameterization.STANDARD, Math.sqrt(2), false, 0.0),
                0, DataType.DOUBLE);
    }

    record TimedGram(INDArray gram, double seconds) {
    }

    /** The trace-kernel Gram of net on x ({@link EmpiricalNtk}, 2 GB cap), timed after a warm-up on 4 inputs. */
    static TimedGram timedTraceGram(Network net, INDArray x) {
        EmpiricalNtk ntk = new EmpiricalNtk(net, NtkKernel.TRACE, 2048L << 20);
        ntk.gram(x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, Math.min(4, x.size(0))))); // warm-up
        long t0 = System.nanoTime();
        INDArray gram = ntk.gram(x).matrix();
        return new TimedGram(gram, (System.nanoTime() - t0) * 1e-9);
    }

    static INDArray gaussian(long[] shape, long seed) {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        long count = 1;
        for (long s : shape) {
            count *= s;
        }
        double[] v = new double[(int) count];
        for (int i = 0; i < v.length; i++) {
            v[i] = rng.nextGaussian();
        }
        return Nd4j.create(v, shape, 'c');
    }
}

package org.speedlimits.config;

import org.speedlimits.config.ExperimentConfig.NtkKernel;

import java.util.Locale;

/**
 * Whether the NTK settings can work before anything runs: the dense path's memory (Gram matrix plus the
 * eigensolver's workspace, ntk.SymmetricEigen#eigh) against {@code ntk.memory_cap_mb}, and the full kernel's side
 * against {@code ntk.dense_max}. Lives in config so that {@link ConfigValidator} can reject a config before a run
 * directory exists without depending on the ntk package; ntk.NtkAnalysis runs the same check when it builds the NTK.
 */
public final class NtkBudget {
    /** Network outputs: the CIFAR-10 classes (model.ModelFactory.CLASSES; NtkHookTest checks they agree). */
    public static final int OUTPUTS = 10;

    private NtkBudget() {
    }

    /**
     * Peak bytes of ntk.SymmetricEigen#eigh for an n x n matrix: the matrix (reflectors), Z, dstedc's workspace
     * (about n^2), the result and the back-transformation's n x 64 panels (about 4 n^2 doubles; n^2 kept in reserve).
     */
    public static long denseBytes(long n) {
        return 8L * (5 * n * n + 8 * n + 1) + 4L * (6 + 6 * n + 5 * n * 32);
    }

    /** Checks that the NTK settings can work for n training examples with K outputs (before any training starts). */
    public static void checkFeasible(ExperimentConfig.Ntk o, long n, int outputs, String source) {
        long side = o.kernel() == NtkKernel.TRACE ? n : n * outputs;
        long cap = o.memoryCapMb() << 20;
        if (side > o.denseMax()) {
            if (o.kernel() == NtkKernel.FULL) {
                throw new ConfigException(String.format(Locale.ROOT, "%s: the full NTK of n = %d examples x %d "
                        + "outputs has side %d > ntk.dense_max = %d; use ntk.kernel: trace (Lanczos top-k above "
                        + "dense_max) or fewer examples", source, n, outputs, side, o.denseMax()));
            }
            return;
        }
        if (denseBytes(side) > cap) {
            throw new ConfigException(String.format(Locale.ROOT, "%s: ntk.memory_cap_mb = %d is too small for the "
                    + "%s kernel of n = %d examples: its Gram matrix and eigendecomposition need %d MB; raise "
                    + "ntk.memory_cap_mb%s", source, o.memoryCapMb(), ExperimentConfig.yamlName(o.kernel()), n,
                    (denseBytes(side) >> 20) + 1, o.kernel() == NtkKernel.FULL ? " or use ntk.kernel: trace" : ""));
        }
    }
}

package org.speedlimits.cli;

import org.speedlimits.config.NtkSchedule;

import org.speedlimits.ntk.NtkFiles;

import org.speedlimits.ntk.NtkAnalysis;

import org.speedlimits.ntk.NtkHook;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.speedlimits.config.ConfigException;
import org.speedlimits.config.ConfigLoader;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.data.TrainingData;
import org.speedlimits.model.ModelFactory;
import org.speedlimits.model.Network;
import org.speedlimits.run.Backend;
import org.speedlimits.run.Checkpoints;
import org.speedlimits.run.RunDirectory;
import org.speedlimits.run.RunLock;
import org.speedlimits.run.RunStateException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ntk --run <dir> --epoch E}: the NTK spectrum of a saved checkpoint, after the fact. Rebuilds data and model
 * from the run's config.yaml, loads checkpoints/epoch_E.npy and writes the same files as the training hook.
 */
@Command(name = "ntk", mixinStandardHelpOptions = true,
        description = "Empirical NTK spectrum and residue overlaps of a run's checkpoint: writes <run>/ntk/epoch_<E>.npy/.csv "
                + "and a row of <run>/ntk/summary.csv (settings from the run's ntk section unless overridden).")
public final class NtkCommand implements Callable<Integer> {

    @Option(names = "--run", required = true, paramLabel = "RUN_DIR", description = "the run directory")
    Path run;

    @Option(names = "--epoch", required = true, paramLabel = "E",
            description = "an epoch with a checkpoint, 'final', or 'warm:<test accuracy>' (first evaluated epoch "
                    + "reaching it, from metrics.csv)")
    String epoch;

    @Option(names = "--kernel", paramLabel = "trace|full", description = "trace or full (default: the run's ntk.kernel)")
    String kernel;

    @Option(names = "--memory-cap-mb", paramLabel = "MB", description = "memory cap in MB (default: the run's ntk.memory_cap_mb)")
    Long memoryCapMb;

    @Option(names = "--eigenvectors", description = "also write epoch_<E>_eigenvectors.npy")
    boolean eigenvectors;

    @Override
    public Integer call() {
        Path stored = run.resolve(RunDirectory.CONFIG);
        if (!Files.isRegularFile(stored)) {
            throw new ConfigException("--run " + run + ": no run directory there (no " + RunDirectory.CONFIG + ")");
        }
        try (RunLock ignored = RunLock.acquire(run, "ntk --epoch " + epoch)) { // writes ntk/ into the run: one writer
            return measure(stored);
        }
    }

    private int measure(Path stored) {
        ExperimentConfig c = ConfigLoader.fromRunConfig(stored).config();
        ExperimentConfig.Ntk o = c.ntk();
        o = new ExperimentConfig.Ntk(o.epochs(), kernel != null ? parseKernel(kernel) : o.kernel(),
                memoryCapMb != null ? memoryCapMb : o.memoryCapMb(), eigenvectors || o.eigenvectors(), o.topK(), o.denseMax());
        if (o.memoryCapMb() < 1) {
            throw new ConfigException("--memory-cap-mb " + o.memoryCapMb() + " is invalid; expected at least 1");
        }
        c = new ExperimentConfig(c.experiment(), c.seed(), c.data(), c.model(), c.train(), c.output(), c.hooks(),
                c.checkpoint(), o);
        NtkAnalysis.checkFeasible(o, c.data().nTrain(), ModelFactory.CLASSES, "ntk --run " + run);
        long e = resolveEpoch(c);
        Backend.initialise();
        TrainingData data = TrainingData.load(c.data(), c.train().dtype().dataType());
        Network network64 = ModelFactory.build(c.model(), c.seed(), DataType.DOUBLE);
        INDArray theta = Checkpoints.open(run, network64.blocks(), network64.numParams(),
                ExperimentConfig.yamlName(c.train().dtype()), c.checkpoint().keep()).load(e);
        NtkAnalysis.Result r = NtkHook.computeAndWrite(run, c, network64, data.train(), theta, e,
                NtkHook.testAccuracyAt(run.resolve(RunDirectory.METRICS), e));
        System.out.printf(Locale.ROOT, "epoch %d: %s NTK, %d eigenpairs, lambda_max %.6g, top-1 overlap %.4f -> %s%n", e,
                ExperimentConfig.yamlName(r.kernel()), r.eigenvalues().length, r.eigenvalues()[0], r.overlap(0),
                NtkFiles.spectrumFile(run, e));
        return 0;
    }

    private static ExperimentConfig.NtkKernel parseKernel(String name) {
        for (ExperimentConfig.NtkKernel k : ExperimentConfig.NtkKernel.values()) {
            if (ExperimentConfig.yamlName(k).equalsIgnoreCase(name.trim())) {
                return k;
            }
        }
        throw new ConfigException("--kernel '" + name + "' is invalid; expected trace or full");
    }

    private long resolveEpoch(ExperimentConfig c) {
        NtkSchedule.Spec spec = NtkSchedule.parseOne(epoch, c.train().epochs(), c.train().lr(), "--epoch");
        if (spec.epoch() >= 0) {
            return spec.epoch();
        }
        long e = NtkHook.firstEpochReaching(run.resolve(RunDirectory.METRICS), spec.warmThreshold());
        if (e < 0) {
            throw new RunStateException("--epoch " + epoch + ": no evaluated epoch in " + run.resolve(RunDirectory.METRICS)
                    + " reaches test accuracy " + spec.warmThreshold());
        }
        return e;
    }
}

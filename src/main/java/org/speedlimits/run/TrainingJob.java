package org.speedlimits.run;

import org.speedlimits.config.ExitCodes;
import org.speedlimits.engine.NativeAllocator;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.speedlimits.config.ConfigLoader;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.data.TrainingData;
import org.speedlimits.figures.TrainingFigure;
import org.speedlimits.hooks.AnchorDistances;
import org.speedlimits.hooks.LambdaMax;
import org.speedlimits.hooks.LayerDistances;
import org.speedlimits.hooks.WeightTriplets;
import org.speedlimits.io.EpochCsv;
import org.speedlimits.model.ModelFactory;
import org.speedlimits.model.Network;
import org.speedlimits.ntk.NtkHook;
import org.speedlimits.config.NtkSchedule;
import org.speedlimits.train.DivergenceException;
import org.speedlimits.train.EpochContext;
import org.speedlimits.train.EpochListener;
import org.speedlimits.train.EpochSchedule;
import org.speedlimits.train.Trainer;
import org.speedlimits.train.Measure;
import org.speedlimits.train.MetricsWriter;
import org.speedlimits.train.ProgressLogger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeSet;

/**
 * One training run with its run directory: starts it, or resumes it from the newest good checkpoint (rows and
 * checkpoints after it are recomputed identically), wires the measurement hooks and checkpoints, and records the
 * outcome in status.json. Exit codes: 0 done (or already done), 75 stopped by a signal after checkpointing
 * ({@link ExitCodes#STOPPED}); divergence and errors propagate as exceptions (status "diverged"/"failed").
 */
public final class TrainingJob {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingJob.class);

    private final ConfigLoader.Resolved resolved;
    private final ExperimentConfig c;

    private final java.nio.file.Path dir;

    /** @param dir the run directory, or null for the one the config names ({@link RunDirectory#locate}) */
    public TrainingJob(ConfigLoader.Resolved resolved, java.nio.file.Path dir) {
        this.resolved = resolved;
        this.c = resolved.config();
        this.dir = dir == null ? RunDirectory.locate(resolved) : dir;
    }

    public int run(boolean overwrite, StopSignal stop) {
        Map<String, Object> backend = Backend.initialise();
        // everything that can reject the input happens before the run directory is touched
        TrainingData data = TrainingData.load(c.data(), c.train().dtype().dataType());
        Network network = ModelFactory.build(c.model(), c.seed(), c.train().dtype().dataType());
        RunDirectory run = RunDirectory.open(dir, resolved, overwrite);
        try (RunLock lock = RunLock.acquire(run.path(), "train")) { // one writer per run folder (RunStateException)
            Optional<RunStatus> previous = RunStatus.read(run.path());
            if (previous.isPresent() && previous.get().state().equals(RunStatus.DONE)) {
                LOG.info("run {} is already complete ({} epochs); nothing to do", run.path(), previous.get().epochs());
                return 0;
            }
            try (RunLogging ignored = RunLogging.attach(run.file(RunDirectory.LOG))) {
                try {
                    return train(run, network, data, backend, stop);
                } catch (RuntimeException e) {
                    LOG.error("run stopped: {}", e.getMessage()); // also into run.log, next to the run's history
                    throw e;
                }
            }
        }
    }

    private int train(RunDirectory run, Network network, TrainingData data, Map<String, Object> backend, StopSignal stop) {
        LOG.info("run directory {}", run.path());
        LOG.info("config {}, resolved (also in {}):\n{}", resolved.source(), RunDirectory.CONFIG, resolved.toYaml().strip());
        LOG.info("data: {} train / {} test images from {}; {}", data.train().size(), data.test().size(),
                c.data().dir(), data.description());
        LOG.info("model: {}-{} width {}, {} parameters, {} parameterisation, {}", ExperimentConfig.yamlName(c.model().type()),
                c.model().depth(), c.model().width(), network.numParams(),
                ExperimentConfig.yamlName(c.model().parameterization()), ExperimentConfig.yamlName(c.train().dtype()));
        try (Trainer trainer = new Trainer(network, data.train(), data.test(), c.train())) {
            return train(run, network, data, backend, stop, trainer);
        }
    }

    private int train(RunDirectory run, Network network, TrainingData data, Map<String, Object> backend, StopSignal stop,
                      Trainer trainer) {
        long epochs = c.train().epochs();
        var hooks = c.hooks();
        boolean flow = c.train().dynamics() == ExperimentConfig.DynamicsKind.FLOW;
        LOG.info("training gradient: {} (train.engine = {}); dynamics: {}", trainer.engineName(),
                ExperimentConfig.yamlName(c.train().engine()), flow
                        ? String.format(java.util.Locale.ROOT, "gradient flow to T = %.6g (RKC, rtol %.3g, atol %.3g)",
                        c.train().horizon(), c.train().rtol(), c.train().atol())
                        : String.format(java.util.Locale.ROOT, "gradient descent, lr %.6g, %d steps to T = %.6g",
                        c.train().lr(), epochs, c.train().horizon()));
        try {
            Map<String, Object> env = new java.util.LinkedHashMap<>(EnvironmentInfo.collect(backend));
            env.put("gradient_engine", trainer.engineName());
            env.putAll(trainer.engineEnvironment());
            env.put("dynamics", trainer.dynamics().name());
            EnvironmentInfo.write(run.file(RunDirectory.ENV), env);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }

        TreeSet<Long> anchorEpochs = hooks.anchorEpochs(c.train().lr());
        anchorEpochs.addAll(EpochSchedule.logSpaced(epochs, hooks.anchorLogPoints()));
        anchorEpochs.remove(0L);
        TreeSet<Long> logSpaced = EpochSchedule.logSpaced(epochs, c.checkpoint().logPoints());
        EpochSchedule checkpointEpochs = new EpochSchedule(epochs, c.checkpoint().every(), 0,
                concat(anchorEpochs, logSpaced));
        // flow rows: the record grid plus every time something is measured or saved there
        TreeSet<Long> explicitRows = concat(anchorEpochs, new TreeSet<>(checkpointEpochs.epochs()));
        NtkSchedule ntkSchedule = NtkSchedule.parse(c.ntk().epochs(), epochs, c.train().lr(), "ntk.epochs");
        explicitRows.addAll(ntkSchedule.epochs());
        NavigableSet<Long> rows = Trainer.rows(c.train(), explicitRows);
        Checkpoints checkpoints = Checkpoints.open(run.path(), network.blocks(), network.numParams(),
                ExperimentConfig.yamlName(c.train().dtype()), c.checkpoint().keep());

        // resume point: theta_E of the newest good checkpoint, or a fresh start
        long start = 0;
        INDArray theta0 = network.net().params().dup();
        double loss0 = Double.NaN;
        AnchorDistances anchors = new AnchorDistances(anchorEpochs, network.parameterization());
        Optional<Checkpoints.Loaded> resumeFrom = run.hasStarted() ? checkpoints.newestGood() : Optional.empty();
        if (resumeFrom.isPresent()) {
            Checkpoints.Entry entry = resumeFrom.get().entry();
            start = entry.epoch();
            network.net().setParams(resumeFrom.get().theta().castTo(network.net().params().dataType()));
            theta0 = checkpoints.load(0);
            for (long a : anchors.anchors().headSet(start, false)) {
                anchors.putAnchor(a, checkpoints.load(a));
            }
            trainer.restore(start, entry.state());
            loss0 = firstTrainLoss(run);
            checkpoints.dropAfter(start);
            LOG.info("resuming from the checkpoint of epoch {} (t = {}, {} of {} epochs done)", start,
                    c.train().lr() * start, start, epochs);
        } else if (run.hasStarted()) {
            LOG.warn("no checkpoint found in {}: starting this run from epoch 0", checkpoints.dir());
        }

        List<Measure> measures = new ArrayList<>(List.of(anchors));
        if (hooks.perLayer()) {
            measures.add(new LayerDistances(network, theta0));
        }
        if (hooks.lambdaMaxEvery() >= 0) {
            measures.add(new LambdaMax(new EpochSchedule(epochs, hooks.lambdaMaxEvery(), 0), hooks.lambdaMaxIterations(),
                    hooks.lambdaMaxWarn(), c.seed(), () -> trainer.evaluateTrainingSet().gradient()));
        }
        List<EpochListener> listeners = new ArrayList<>();
        if (!ntkSchedule.isEmpty()) {
            listeners.add(NtkHook.open(run.path(), c, data.train(), start)); // reads metrics.csv before it is resumed
        }
        listeners.add(MetricsWriter.open(run.file(RunDirectory.METRICS), measures, trainer.dynamics().columns(), start));
        if (hooks.triplets() > 0) {
            listeners.add(WeightTriplets.open(run.file(RunDirectory.TRIPLETS), c.seed(), hooks.triplets(),
                    network.numParams(), new EpochSchedule(epochs, hooks.tripletsEvery(), 0), start));
        }
        listeners.add(new ProgressLogger(start, epochs, c.train().progressEvery(), c.train().progressSeconds()));
        listeners.add(new EpochListener() {
            @Override
            public void onEpoch(EpochContext ctx) {
                if (checkpointEpochs.contains(ctx.epoch())) {
                    checkpoints.save(ctx.epoch(), ctx.theta(), kinds(ctx.epoch()), stateAt(measures, trainer, ctx.epoch()));
                    RunStatus.write(run.path(), RunStatus.RUNNING, ctx.epoch(), epochs, null);
                }
            }

            private List<String> kinds(long epoch) {
                List<String> kinds = new ArrayList<>();
                if (epoch == 0) {
                    kinds.add("initial");
                }
                if (epoch == epochs) {
                    kinds.add("final");
                }
                if (anchorEpochs.contains(epoch)) {
                    kinds.add("anchor");
                }
                if (logSpaced.contains(epoch)) {
                    kinds.add("log");
                }
                if (kinds.isEmpty()) {
                    kinds.add(Checkpoints.PERIODIC);
                }
                return kinds;
            }
        });
        if (c.output().figure()) {
            listeners.add(new TrainingFigure(run.file(RunDirectory.METRICS), run.file(RunDirectory.FIGURE)));
        }

        RunStatus.write(run.path(), RunStatus.RUNNING, start, epochs, null);
        try {
            Trainer.Result result = trainer.run(start, rows, theta0, loss0, measures, listeners, stop);
            if (!result.completed()) {
                long next = result.nextEpoch();
                checkpoints.save(next, network.net().params(), List.of("interrupted"), stateAt(measures, trainer, next));
                RunStatus.write(run.path(), RunStatus.INTERRUPTED, result.last().epoch(), epochs, ExitCodes.STOPPED);
                LOG.warn("stopped on request: checkpoint of epoch {} written; rerun the same command to resume "
                        + "(exit code {})", next, ExitCodes.STOPPED);
                return ExitCodes.STOPPED;
            }
            RunStatus.write(run.path(), RunStatus.DONE, epochs, epochs, ExitCodes.OK);
            LOG.info("finished {} epochs (t = {}): train loss {}, train acc {}, {} gradient evaluations; run directory {}",
                    epochs, c.train().horizon(), result.last().trainLoss(), result.last().trainAccuracy(),
                    result.last().gradEvals(), run.path());
            LOG.info(trainer.dynamics().summary());
            return 0;
        } catch (DivergenceException e) {
            RunStatus.write(run.path(), RunStatus.DIVERGED, e.epoch(), epochs, ExitCodes.DIVERGED);
            throw e;
        } catch (RuntimeException e) {
            RunStatus.write(run.path(), RunStatus.FAILED, -1, epochs, ExitCodes.FAILED);
            throw e;
        } catch (OutOfMemoryError e) {
            RunStatus.write(run.path(), RunStatus.FAILED, -1, epochs, ExitCodes.FAILED);
            throw NativeAllocator.explain(e, NativeAllocator.active());
        }
    }

    private static Map<String, Double> stateAt(List<Measure> measures, Trainer trainer, long epoch) {
        Map<String, Double> state = new HashMap<>(trainer.state());
        measures.forEach(m -> state.putAll(m.stateAt(epoch)));
        return state;
    }

    private static TreeSet<Long> concat(TreeSet<Long> a, TreeSet<Long> b) {
        TreeSet<Long> out = new TreeSet<>(a);
        out.addAll(b);
        return out;
    }

    private static double firstTrainLoss(RunDirectory run) {
        try {
            List<String> header = EpochCsv.header(run.file(RunDirectory.METRICS));
            return EpochCsv.read(run.file(RunDirectory.METRICS)).get(0)[header.indexOf("train_loss")];
        } catch (IOException | IndexOutOfBoundsException e) {
            throw new IllegalStateException("cannot read the initial loss from " + run.file(RunDirectory.METRICS), e);
        }
    }
}

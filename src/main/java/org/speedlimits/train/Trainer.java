package org.speedlimits.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.data.Split;
import org.speedlimits.dynamics.Dynamics;
import org.speedlimits.dynamics.Objective;
import org.speedlimits.engine.Dl4jEngine;
import org.speedlimits.engine.Evaluation;
import org.speedlimits.engine.GradientEngine;
import org.speedlimits.engine.GradientEngines;
import org.speedlimits.model.Network;
import org.speedlimits.model.ObservedSquaredError;
import org.speedlimits.model.Parameterization;
import org.speedlimits.model.SquaredErrorLoss;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.function.BooleanSupplier;

/**
 * Full-batch training in physical time: theta is measured at the row times t = lr * epoch (every epoch for gd; a
 * regular plus log-spaced grid for flow, see {@link #rows}) and carried from row to row by a {@link Dynamics}. The
 * training gradient comes from a {@link GradientEngine} ({@code train.engine}); test-set loss and accuracy from
 * DL4J's forward pass.
 */
public final class Trainer implements AutoCloseable {
    public static final String GRAD_EVALS = "grad_evals";
    private final Network network;
    private final MultiLayerNetwork net;
    private final Split train;
    private final Split test;
    private final ExperimentConfig.Train config;
    private final SquaredErrorLoss loss;
    private final GradientEngine engine;
    private final Dynamics dynamics;
    private long gradEvals;

    public Trainer(Network network, Split train, Split test, ExperimentConfig.Train config) {
        this(network, train, test, config, GradientEngines.create(network, config), Dynamics.of(config));
    }

    public Trainer(Network network, Split train, Split test, ExperimentConfig.Train config, GradientEngine engine,
                   Dynamics dynamics) {
        this.network = network;
        this.net = network.net();
        this.train = train;
        this.test = test;
        this.config = config;
        this.loss = new SquaredErrorLoss(config.loss());
        this.engine = engine;
        this.dynamics = dynamics;
    }

    /** What env.json records about the gradient engine (the GPU and its libraries for cudnn). */
    public java.util.Map<String, Object> engineEnvironment() {
        return engine.environment();
    }

    /** Which engine computes the training gradient: cudnn, onednn or dl4j. */
    public String engineName() {
        return engine.name();
    }

    public Dynamics dynamics() {
        return dynamics;
    }

    public SquaredErrorLoss loss() {
        return loss;
    }

    /** Gradient evaluations the dynamics made so far (the trajectory's cost; hook probes such as lambda_max excluded). */
    public long gradientEvaluations() {
        return gradEvals;
    }

    /** L(theta), training accuracy and grad L(theta) at the network's current parameters (not counted). */
    public Evaluation evaluateTrainingSet() {
        return engine.evaluate(net.params(), train);
    }

    /** Loss and accuracy on the test split (forward passes only). */
    public Evaluation evaluateTestSet() {
        double squaredError = 0;
        long correct = 0;
        for (long start = 0; start < test.size(); start += config.chunkSize()) {
            INDArrayIndex rows = NDArrayIndex.interval(start, Math.min(test.size(), start + config.chunkSize()));
            INDArray f = net.output(Dl4jEngine.rowsOf(test.x(), rows), false);
            INDArray y = Dl4jEngine.rowsOf(test.y(), rows);
            squaredError += loss.value(f, y) / loss.factor(f.size(0));
            correct += ObservedSquaredError.correctPredictions(f, y);
        }
        return new Evaluation(loss.factor(test.size()) * squaredError, correct / (double) test.size(), null);
    }

    /** theta <- theta - eta * lrScale * gradient (in place on the network's parameters). */
    public void step(INDArray gradient) {
        net.params().addi(network.parameterization().step(gradient, config.lr()));
    }

    /**
     * The row epochs in [0, E]: every epoch for gd; for flow a row every {@code train.record_every} of time (T/100
     * when 0) plus {@code train.record_log_points} log-spaced ones, plus {@code explicit} (anchors, checkpoints,
     * NTK epochs), all on multiples of lr.
     */
    public static NavigableSet<Long> rows(ExperimentConfig.Train config, Collection<Long> explicit) {
        long epochs = config.epochs();
        if (config.dynamics() == ExperimentConfig.DynamicsKind.GD) {
            return new EpochSchedule(epochs, 1, 0).epochs();
        }
        double every = config.recordEvery() > 0 ? config.recordEvery() : config.horizon() / 100;
        long everyEpochs = Math.max(1, Math.round(every / config.lr()));
        return new EpochSchedule(epochs, everyEpochs, config.recordLogPoints(), explicit).epochs();
    }

    /** State stored with a checkpoint: the dynamics' and the evaluation counter. */
    public Map<String, Double> state() {
        Map<String, Double> state = new java.util.HashMap<>(dynamics.state());
        state.put(GRAD_EVALS, (double) gradEvals);
        return state;
    }

    /** Restores {@link #state()} of a checkpoint at {@code epoch} (older gd checkpoints lack the counters). */
    public void restore(long epoch, Map<String, Double> state) {
        Map<String, Double> s = new java.util.HashMap<>(state);
        if (dynamics.name().equals("gd")) {
            s.putIfAbsent(org.speedlimits.dynamics.GradientDescent.STEPS, (double) epoch);
        }
        dynamics.restore(s);
        gradEvals = s.getOrDefault(GRAD_EVALS, (double) epoch).longValue();
    }

    /** How a call to {@link #run} ended: all rows done, or stopped on request with theta = theta at nextEpoch. */
    public record Result(boolean completed, long nextEpoch, EpochRecord last) {
    }

    /**
     * Trains from the row at startEpoch (the network's current parameters) to the last row, measuring every row:
     * core values, then each measure's columns, then the listeners. Stops early, at a row, when
     * {@code stopRequested} becomes true. Throws {@link DivergenceException} on a non-finite or exploding loss.
     *
     * @param rows          the row epochs ({@link #rows}); must contain startEpoch
     * @param theta0        theta at epoch 0 (for dist2_init)
     * @param referenceLoss the loss at epoch 0, or NaN when starting at epoch 0
     */
    public Result run(long startEpoch, NavigableSet<Long> rows, INDArray theta0, double referenceLoss,
                      List<Measure> measures, List<EpochListener> listeners, BooleanSupplier stopRequested) {
        if (!rows.contains(startEpoch)) {
            throw new IllegalArgumentException("epoch " + startEpoch + " is not a row of this run");
        }
        boolean flow = config.dynamics() == ExperimentConfig.DynamicsKind.FLOW;
        EpochSchedule evalSchedule = new EpochSchedule(config.epochs(), config.evalEvery(), config.evalLogPoints());
        Objective objective = objective();
        long startNanos = System.nanoTime();
        EpochContext context = null;
        double loss0 = referenceLoss;
        // a resumed run recomputes the evaluation its checkpoint's grad_evals already counts
        Evaluation tr = startEpoch == 0 ? objective.evaluate() : evaluateTrainingSet();
        for (long epoch : rows.tailSet(startEpoch, true)) {
            if (Double.isNaN(loss0)) {
                loss0 = tr.loss();
            }
            if (!Double.isFinite(tr.loss()) || tr.loss() > config.divergenceFactor() * loss0) {
                throw new DivergenceException(epoch, tr.loss(), loss0, config.lr());
            }
            boolean evaluateTest = test.size() > 0 && (flow || evalSchedule.contains(epoch));
            Evaluation te = evaluateTest ? evaluateTestSet() : null;
            Parameterization p = network.parameterization();
            EpochRecord core = new EpochRecord(epoch, config.lr() * epoch, tr.loss(), tr.accuracy(),
                    te == null ? Double.NaN : te.loss(), te == null ? Double.NaN : te.accuracy(),
                    p.gradientNormSquared(tr.gradient()), p.distanceSquared(net.params(), theta0),
                    dynamics.pathLength(), gradEvals, dynamics.steps(), dynamics.values(),
                    (System.nanoTime() - startNanos) * 1e-9, new double[0]);
            context = new EpochContext(core, network, tr.gradient(), config.lr(), flow);
            double[] extras = new double[0];
            for (Measure m : measures) {
                double[] values = m.measure(context);
                extras = java.util.Arrays.copyOf(extras, extras.length + values.length);
                System.arraycopy(values, 0, extras, extras.length - values.length, values.length);
            }
            context = new EpochContext(core.withExtras(extras), network, tr.gradient(), config.lr(), flow);
            for (EpochListener l : listeners) {
                l.onEpoch(context);
            }
            Long next = rows.higher(epoch);
            if (next != null) {
                tr = dynamics.advance(objective, config.lr() * epoch, config.lr() * next, tr);
                if (stopRequested.getAsBoolean()) {
                    return new Result(false, next, context.record());
                }
            }
        }
        for (EpochListener l : listeners) {
            l.onEnd(context);
        }
        return new Result(true, rows.last(), context == null ? null : context.record());
    }

    /** {@link #run(long, NavigableSet, INDArray, double, List, List, BooleanSupplier)} over {@link #rows} alone. */
    public Result run(long startEpoch, INDArray theta0, double referenceLoss, List<Measure> measures,
                      List<EpochListener> listeners, BooleanSupplier stopRequested) {
        return run(startEpoch, rows(config, List.of()), theta0, referenceLoss, measures, listeners, stopRequested);
    }

    /** Trains all rows from theta_0 with no measures and no stop requests (tests, simple uses). */
    public EpochRecord run(List<EpochListener> listeners) {
        return run(0, rows(config, List.of()), net.params().dup(), Double.NaN, List.of(), listeners, () -> false).last();
    }

    /** The network as the dynamics see it, counting every gradient evaluation. */
    private Objective objective() {
        return new Objective() {
            @Override
            public INDArray theta() {
                return net.params();
            }

            @Override
            public Parameterization parameterization() {
                return network.parameterization();
            }

            @Override
            public Evaluation evaluate() {
                gradEvals++;
                return engine.evaluate(net.params(), train);
            }
        };
    }

    @Override
    public void close() {
        engine.close();
    }
}

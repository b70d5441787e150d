package org.speedlimits.train;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.model.Network;
import org.speedlimits.model.ObservedSquaredError;
import org.speedlimits.model.OneDnnMyrtleGradient;

import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Full-batch gradient descent: one epoch is one step theta <- theta - eta * lrScale * grad L(theta) over all n
 * training examples, with L from {@link SquaredErrorLoss}. Examples are processed in chunks of
 * {@code train.chunk_size} to bound memory; the loss is a sum over examples, so summing the chunk gradients gives
 * exactly the full-batch gradient. The gradient pass runs in {@link OneDnnMyrtleGradient} where
 * {@code train.engine} allows it and the network is one it computes, else through DL4J's layers.
 */
public final class GradientDescentTrainer {
    private final Network network;
    private final MultiLayerNetwork net;
    private final Split train;
    private final Split test;
    private final ExperimentConfig.Train config;
    private final SquaredErrorLoss loss;
    /** The oneDNN gradient pass, or null for DL4J's. */
    private final OneDnnMyrtleGradient oneDnn;

    /** Loss, accuracy and (for the training set) the gradient of L at the current theta. */
    public record Evaluation(double loss, double accuracy, INDArray gradient) {
    }

    public GradientDescentTrainer(Network network, Split train, Split test, ExperimentConfig.Train config) {
        this.network = network;
        this.net = network.net();
        this.train = train;
        this.test = test;
        this.config = config;
        this.loss = new SquaredErrorLoss(config.loss());
        this.oneDnn = oneDnnGradient(network, config.engine());
    }

    private static OneDnnMyrtleGradient oneDnnGradient(Network network, ExperimentConfig.GradientEngine engine) {
        if (engine == ExperimentConfig.GradientEngine.DL4J) {
            return null;
        }
        return chooseOneDnn(engine, OneDnnMyrtleGradient.unsupportedReason(network.net()),
                () -> new OneDnnMyrtleGradient(network.net()));
    }

    /**
     * The oneDNN engine, or null for DL4J's layers: auto falls back (with a warning where oneDNN's native library
     * cannot be loaded, e.g. on a platform without bytedeco's dnnl build); onednn fails, saying why.
     */
    static OneDnnMyrtleGradient chooseOneDnn(ExperimentConfig.GradientEngine engine, String unsupported,
                                             Supplier<OneDnnMyrtleGradient> create) {
        boolean required = engine == ExperimentConfig.GradientEngine.ONEDNN;
        if (unsupported != null) {
            if (required) {
                throw new IllegalArgumentException("train.engine = onednn, but " + unsupported
                        + "; use train.engine=auto (or dl4j) for this model");
            }
            return null;
        }
        try {
            return create.get();
        } catch (LinkageError e) { // UnsatisfiedLinkError, NoClassDefFoundError from the native loader
            if (required) {
                throw new IllegalStateException("train.engine = onednn, but oneDNN's native library could not be "
                        + "loaded (" + e + "); use train.engine=dl4j", e);
            }
            org.slf4j.LoggerFactory.getLogger(GradientDescentTrainer.class).warn(
                    "train.engine = auto: oneDNN's native library could not be loaded ({}); using DL4J's layers", e.toString());
            return null;
        }
    }

    /** Which engine computes the training gradient: onednn or dl4j. */
    public String engineName() {
        return oneDnn != null ? "onednn" : "dl4j";
    }

    public SquaredErrorLoss loss() {
        return loss;
    }

    /** L(theta), training accuracy and grad L(theta), from one backward pass over the training set. */
    public Evaluation evaluateTrainingSet() {
        if (oneDnn != null) {
            INDArray gradient = Nd4j.create(DataType.FLOAT, net.params().shape());
            OneDnnMyrtleGradient.Result r = oneDnn.compute(train.x(), train.y(), config.chunkSize(), gradient);
            double c = loss.factor(train.size());
            return new Evaluation(c * r.squaredError(), r.correct() / (double) train.size(), gradient.muli(c));
        }
        ObservedSquaredError observed = network.observedLoss();
        observed.reset();
        INDArray sum = null;
        for (long start = 0; start < train.size(); start += config.chunkSize()) {
            INDArrayIndex rows = NDArrayIndex.interval(start, Math.min(train.size(), start + config.chunkSize()));
            Gradient g = net.calculateGradients(rowsOf(train.x(), rows), rowsOf(train.y(), rows), null, null).getFirst();
            INDArray flat = g.gradient();
            sum = sum == null ? flat.dup() : sum.addi(flat);
        }
        double c = loss.factor(train.size());
        return new Evaluation(c * observed.squaredError(), observed.correct() / (double) train.size(), sum.muli(c));
    }

    /** Loss and accuracy on the test split (forward passes only). */
    public Evaluation evaluateTestSet() {
        double squaredError = 0;
        long correct = 0;
        for (long start = 0; start < test.size(); start += config.chunkSize()) {
            INDArrayIndex rows = NDArrayIndex.interval(start, Math.min(test.size(), start + config.chunkSize()));
            INDArray f = net.output(rowsOf(test.x(), rows), false);
            INDArray y = rowsOf(test.y(), rows);
            squaredError += loss.value(f, y) / loss.factor(f.size(0));
            correct += ObservedSquaredError.correctPredictions(f, y);
        }
        return new Evaluation(loss.factor(test.size()) * squaredError, correct / (double) test.size(), null);
    }

    /** theta <- theta - eta * lrScale * gradient (in place on the network's parameters). */
    public void step(INDArray gradient) {
        net.params().addi(network.parameterization().step(gradient, config.lr()));
    }

    /** How a call to {@link #run} ended: all epochs done, or stopped on request with theta = theta_{nextEpoch}. */
    public record Result(boolean completed, long nextEpoch, EpochRecord last) {
    }

    /**
     * Trains from theta_{startEpoch} (the network's current parameters) to theta_E, measuring every epoch: core
     * values, then each measure's columns, then the listeners. Stops early, after a complete step, when
     * {@code stopRequested} becomes true. Throws {@link DivergenceException} on a non-finite or exploding loss.
     *
     * @param theta0        theta at epoch 0 (for dist2_init)
     * @param referenceLoss the loss at epoch 0, or NaN when starting at epoch 0
     */
    public Result run(long startEpoch, INDArray theta0, double referenceLoss, List<Measure> measures,
                      List<EpochListener> listeners, BooleanSupplier stopRequested) {
        EpochSchedule schedule = new EpochSchedule(config.epochs(), config.evalEvery(), config.evalLogPoints());
        long startNanos = System.nanoTime();
        EpochContext context = null;
        double loss0 = referenceLoss;
        for (long epoch = startEpoch; epoch <= config.epochs(); epoch++) {
            Evaluation tr = evaluateTrainingSet();
            if (Double.isNaN(loss0)) {
                loss0 = tr.loss();
            }
            if (!Double.isFinite(tr.loss()) || tr.loss() > config.divergenceFactor() * loss0) {
                throw new DivergenceException(epoch, tr.loss(), loss0, config.lr());
            }
            Evaluation te = test.size() > 0 && schedule.contains(epoch) ? evaluateTestSet() : null;
            EpochRecord core = new EpochRecord(epoch, config.lr() * epoch, tr.loss(), tr.accuracy(),
                    te == null ? Double.NaN : te.loss(), te == null ? Double.NaN : te.accuracy(),
                    network.parameterization().gradientNormSquared(tr.gradient()),
                    network.parameterization().distanceSquared(net.params(), theta0),
                    (System.nanoTime() - startNanos) * 1e-9, new double[0]);
            context = new EpochContext(core, network, tr.gradient(), config.lr());
            double[] extras = new double[0];
            for (Measure m : measures) {
                double[] values = m.measure(context);
                extras = java.util.Arrays.copyOf(extras, extras.length + values.length);
                System.arraycopy(values, 0, extras, extras.length - values.length, values.length);
            }
            EpochRecord record = new EpochRecord(core.epoch(), core.time(), core.trainLoss(), core.trainAccuracy(),
                    core.testLoss(), core.testAccuracy(), core.gradNormSquared(), core.distanceSquaredFromInit(),
                    core.wallSeconds(), extras);
            context = new EpochContext(record, network, tr.gradient(), config.lr());
            for (EpochListener l : listeners) {
                l.onEpoch(context);
            }
            if (epoch < config.epochs()) {
                step(tr.gradient());
                if (stopRequested.getAsBoolean()) {
                    return new Result(false, epoch + 1, record);
                }
            }
        }
        for (EpochListener l : listeners) {
            l.onEnd(context);
        }
        return new Result(true, config.epochs(), context == null ? null : context.record());
    }

    /** Trains all epochs from theta_0 with no measures and no stop requests (tests, simple uses). */
    public EpochRecord run(List<EpochListener> listeners) {
        return run(0, net.params().dup(), Double.NaN, List.of(), listeners, () -> false).last();
    }

    private static INDArray rowsOf(INDArray a, INDArrayIndex rows) {
        INDArrayIndex[] index = new INDArrayIndex[a.rank()];
        index[0] = rows;
        for (int i = 1; i < index.length; i++) {
            index[i] = NDArrayIndex.all();
        }
        return a.get(index);
    }
}

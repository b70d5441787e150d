package org.speedlimits.engine;

import org.slf4j.LoggerFactory;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.model.Network;
import org.speedlimits.model.OneDnnMyrtleGradient;
import org.speedlimits.model.SquaredErrorLoss;

import java.util.function.Supplier;

/** Picks the engine {@code train.engine} names: auto (the fastest that applies), onednn or dl4j. */
public final class GradientEngines {
    private GradientEngines() {
    }

    public static GradientEngine create(Network network, ExperimentConfig.Train config) {
        SquaredErrorLoss loss = new SquaredErrorLoss(config.loss());
        if (config.engine() != ExperimentConfig.GradientEngine.DL4J) {
            OneDnnMyrtleGradient oneDnn = chooseOneDnn(config.engine(),
                    OneDnnMyrtleGradient.unsupportedReason(network.net()), () -> new OneDnnMyrtleGradient(network.net()));
            if (oneDnn != null) {
                return new OneDnnEngine(network, loss, config.chunkSize(), oneDnn);
            }
        }
        return new Dl4jEngine(network, loss, config.chunkSize());
    }

    /**
     * The oneDNN pass, or null for DL4J's layers: auto falls back (with a warning where oneDNN's native library
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
            LoggerFactory.getLogger(GradientEngines.class).warn(
                    "train.engine = auto: oneDNN's native library could not be loaded ({}); using DL4J's layers", e.toString());
            return null;
        }
    }
}

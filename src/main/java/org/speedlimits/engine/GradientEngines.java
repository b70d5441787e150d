package org.speedlimits.engine;

import org.slf4j.LoggerFactory;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.model.CudaLibraries;
import org.speedlimits.model.CudnnMyrtleGradient;
import org.speedlimits.model.MyrtlePlan;
import org.speedlimits.model.Network;
import org.speedlimits.model.OneDnnMyrtleGradient;
import org.speedlimits.model.SquaredErrorLoss;

import java.util.function.Supplier;

/**
 * Picks the engine {@code train.engine} names: auto (the fastest that applies: cudnn where a CUDA device is usable,
 * else onednn, else dl4j), cudnn, onednn or dl4j.
 */
public final class GradientEngines {
    private GradientEngines() {
    }

    public static GradientEngine create(Network network, ExperimentConfig.Train config) {
        SquaredErrorLoss loss = new SquaredErrorLoss(config.loss());
        ExperimentConfig.GradientEngine engine = config.engine();
        if (engine == ExperimentConfig.GradientEngine.AUTO || engine == ExperimentConfig.GradientEngine.CUDNN) {
            CudnnMyrtleGradient cudnn = chooseCudnn(engine, cudnnUnsupportedReason(network), CudaLibraries::status,
                    () -> new CudnnMyrtleGradient(network.net(), config.tf32()));
            if (cudnn != null) {
                return new MyrtleEngine("cudnn", network, loss, config.chunkSize(), cudnn);
            }
        }
        if (engine == ExperimentConfig.GradientEngine.AUTO || engine == ExperimentConfig.GradientEngine.ONEDNN) {
            OneDnnMyrtleGradient oneDnn = chooseOneDnn(engine,
                    OneDnnMyrtleGradient.unsupportedReason(network.net()), () -> new OneDnnMyrtleGradient(network.net()));
            if (oneDnn != null) {
                return new MyrtleEngine("onednn", network, loss, config.chunkSize(), oneDnn);
            }
        }
        return new Dl4jEngine(network, loss, config.chunkSize());
    }

    /** Why the cuDNN engine cannot compute this network (it reads theta from host memory: the CPU ND4J backend). */
    static String cudnnUnsupportedReason(Network network) {
        String backend = MyrtlePlan.hostBackendReason();
        return backend != null ? backend : MyrtlePlan.unsupportedReason(network.net());
    }

    /**
     * The cuDNN pass, or null for the CPU engines. cudnn fails, naming what is missing; auto falls back: quietly on
     * a machine without an NVIDIA driver (every CPU machine), with a warning where a driver is present but the
     * engine cannot run (a missing CUDA 13 library, an old driver, no visible device).
     */
    static CudnnMyrtleGradient chooseCudnn(ExperimentConfig.GradientEngine engine, String unsupported,
                                           Supplier<CudaLibraries.Status> status, Supplier<CudnnMyrtleGradient> create) {
        boolean required = engine == ExperimentConfig.GradientEngine.CUDNN;
        if (unsupported != null) {
            if (required) {
                throw new IllegalArgumentException("train.engine = cudnn, but the cuDNN engine " + unsupported
                        + "; use train.engine=auto (or dl4j) for this model");
            }
            return null;
        }
        CudaLibraries.Status s = status.get();
        String why = s.unavailable();
        if (why == null) {
            try {
                return create.get();
            } catch (IllegalStateException | LinkageError e) { // a CUDA call failed after the probe succeeded
                why = e.getMessage();
            }
        }
        if (required) {
            throw new IllegalStateException("train.engine = cudnn, but " + why
                    + "; use train.engine=auto (or onednn/dl4j) to train on the CPU");
        }
        var log = LoggerFactory.getLogger(GradientEngines.class);
        if (s.driverFound()) {
            log.warn("train.engine = auto: an NVIDIA driver is present but the cuDNN engine cannot run ({}); "
                    + "training on the CPU", why);
        } else {
            log.info("train.engine = auto: no GPU engine ({}); training on the CPU", why);
        }
        return null;
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

package org.speedlimits.config;

import java.util.regex.Pattern;

/** Semantic checks on a bound config; every message names the key, the value and what was expected. */
final class ConfigValidator {
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9._-]+");

    private ConfigValidator() {
    }

    static void validate(ExperimentConfig c, String source) {
        require(SAFE_NAME.matcher(c.experiment()).matches(), source, "experiment", c.experiment(),
                "a folder name of letters, digits, '.', '_' or '-'");
        var d = c.data();
        require(d.nTrain() >= 1, source, "data.n_train", d.nTrain(), "at least 1");
        require(d.nTest() >= 0, source, "data.n_test", d.nTest(), "0 or more");
        var m = c.model();
        switch (m.type()) {
            case MYRTLE -> {
                require(m.depth() == 5 || m.depth() == 7 || m.depth() == 10, source, "model.depth", m.depth(),
                        "5, 7 or 10 for myrtle");
                require(m.activation() == ExperimentConfig.Activation.RELU, source, "model.activation",
                        ExperimentConfig.yamlName(m.activation()), "relu for myrtle (the Myrtle family is defined with ReLU)");
            }
            case FCN -> require(m.depth() >= 1, source, "model.depth", m.depth(), "at least 1 hidden layer for fcn");
        }
        require(m.width() >= 1, source, "model.width", m.width(), "at least 1");
        require(m.sigmaW() > 0 && Double.isFinite(m.sigmaW()), source, "model.sigma_w", m.sigmaW(), "a positive number");
        require(m.sigmaB() >= 0 && Double.isFinite(m.sigmaB()), source, "model.sigma_b", m.sigmaB(), "0 or more");
        var t = c.train();
        require(t.epochs() >= 0, source, "train.epochs", t.epochs(), "0 or more");
        require(t.lr() > 0 && Double.isFinite(t.lr()), source, "train.lr", t.lr(), "a positive number");
        require(t.chunkSize() >= 1, source, "train.chunk_size", t.chunkSize(), "at least 1");
        require(t.evalEvery() >= 1, source, "train.eval_every", t.evalEvery(), "at least 1");
        require(t.evalLogPoints() >= 0, source, "train.eval_log_points", t.evalLogPoints(), "0 or more");
        require(t.progressEvery() >= 0, source, "train.progress_every", t.progressEvery(), "0 or more");
        require(t.progressSeconds() > 0, source, "train.progress_seconds", t.progressSeconds(), "a positive number");
        if (t.engine() == ExperimentConfig.GradientEngine.ONEDNN || t.engine() == ExperimentConfig.GradientEngine.CUDNN) {
            String engine = ExperimentConfig.yamlName(t.engine());
            require(m.type() == ExperimentConfig.ModelType.MYRTLE && t.dtype() == ExperimentConfig.Precision.FLOAT32,
                    source, "train.engine", engine, "auto or dl4j: the " + (engine.equals("cudnn") ? "cuDNN" : "oneDNN")
                            + " engine computes float32 Myrtle networks only (this is "
                            + ExperimentConfig.yamlName(m.type()) + ", " + ExperimentConfig.yamlName(t.dtype()) + ")");
        }
        require(t.time() >= 0 && Double.isFinite(t.time()), source, "train.time", t.time(), "0 (use train.epochs) or a positive time");
        require(t.recordEvery() >= 0 && Double.isFinite(t.recordEvery()), source, "train.record_every", t.recordEvery(),
                "0 (T/100) or a positive time");
        require(t.recordLogPoints() >= 0, source, "train.record_log_points", t.recordLogPoints(), "0 or more");
        require(t.rtol() > 0 && t.rtol() < 1, source, "train.rtol", t.rtol(), "a number in (0, 1)");
        require(t.atol() > 0 && Double.isFinite(t.atol()), source, "train.atol", t.atol(), "a positive number");
        require(t.divergenceFactor() > 1, source, "train.divergence_factor", t.divergenceFactor(), "a number above 1");
        var h = c.hooks();
        for (long a : h.anchors()) {
            require(a >= 0 && a <= t.epochs(), source, "hooks.anchors", h.anchors(),
                    "epochs between 0 and train.epochs = " + t.epochs());
        }
        for (double time : h.anchorTimes()) {
            long e = ExperimentConfig.epochOf(time, t.lr());
            require(e >= 0 && e <= t.epochs(), source, "hooks.anchor_times", h.anchorTimes(),
                    "times between 0 and T = " + t.horizon() + " that are whole multiples of train.lr = " + t.lr());
        }
        require(h.anchorLogPoints() >= 0, source, "hooks.anchor_log_points", h.anchorLogPoints(), "0 or more");
        require(h.triplets() >= 0, source, "hooks.triplets", h.triplets(), "0 or more");
        require(h.tripletsEvery() >= 1, source, "hooks.triplets_every", h.tripletsEvery(), "at least 1");
        require(h.lambdaMaxEvery() >= -1, source, "hooks.lambda_max_every", h.lambdaMaxEvery(), "-1 (never), 0 (init only) or a period");
        require(h.lambdaMaxIterations() >= 1, source, "hooks.lambda_max_iterations", h.lambdaMaxIterations(), "at least 1");
        require(h.lambdaMaxWarn() > 0, source, "hooks.lambda_max_warn", h.lambdaMaxWarn(), "a positive number");
        var k = c.checkpoint();
        require(k.logPoints() >= 0, source, "checkpoint.log_points", k.logPoints(), "0 or more");
        require(k.every() >= 0, source, "checkpoint.every", k.every(), "0 (off) or a period in epochs");
        require(k.keep() >= 1, source, "checkpoint.keep", k.keep(), "at least 1");
        var ntk = c.ntk();
        require(ntk.memoryCapMb() >= 1, source, "ntk.memory_cap_mb", ntk.memoryCapMb(), "at least 1");
        require(ntk.topK() >= 1, source, "ntk.top_k", ntk.topK(), "at least 1");
        require(ntk.denseMax() >= 1, source, "ntk.dense_max", ntk.denseMax(), "at least 1");
        if (!NtkSchedule.parse(ntk.epochs(), t.epochs(), t.lr(), source + ": key 'ntk.epochs'").isEmpty()) {
            NtkBudget.checkFeasible(ntk, d.nTrain(), NtkBudget.OUTPUTS, source);
        }
        var o = c.output();
        require(!o.root().isBlank(), source, "output.root", o.root(), "a directory");
        require(o.runId().equals("auto") || SAFE_NAME.matcher(o.runId()).matches(), source, "output.run_id", o.runId(),
                "'auto' or a folder name of letters, digits, '.', '_' or '-'");
    }

    private static void require(boolean ok, String source, String key, Object value, String expected) {
        if (!ok) {
            throw new ConfigException(source + ": key '" + key + "' = " + value + " is invalid; expected " + expected);
        }
    }
}

package org.speedlimits.ness;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.speedlimits.config.ConfigException;
import org.speedlimits.config.ConfigLoader;

/**
 * Configuration of the {@code ness} command, resolved by {@link ConfigLoader}'s rules (the same as {@code train} and
 * {@code linreg}): built-in defaults ({@value #DEFAULTS_RESOURCE}, next to this class) &larr; a YAML file &larr;
 * {@code --set key=value}. The resource is the one source of defaults; docs/ness.md lists every key.
 */
public final class NessConfig {
    public static final String DEFAULTS_RESOURCE = "ness-defaults.yaml";
    static final String KEYS_REFERENCE = "docs/ness.md, 'Config keys'";

    /** What the command runs. */
    public enum Stage { THEORY, FIG1C, STATIONARY, POSTERIOR }

    /** The models of paper 003. */
    public enum ModelType { REGRESSION, LINEARIZED, MNIST }

    /** The stochastic dynamics (samplers) of paper 003, as the config names them. */
    public enum DynamicsKind { SGD_WR, SGD_WOR, SGLD, SGWORLD, SGWORLD_UNCORRECTED, EARTHQUAKE }

    public long seed;
    public List<Stage> stages;
    public Model model;
    public Sgd sgd;
    public Fig1c fig1c;
    public Stationary stationary;
    public Posterior posterior;

    public static final class Model {
        public ModelType type;
        public double lambda;
        public long dataSeed;
        public String mnistDir;
        public int mnistExamples;
    }

    public static final class Sgd {
        public double eta;
        public int batch;
        public double zeta;
    }

    public static final class Fig1c {
        public int runs;
        public long steps;
        public int points;
    }

    public static final class Stationary {
        public List<DynamicsKind> dynamics;
        public int chains;
        public long steps;
        public long burnIn;
        public int batches;
        public int bins;
        public int sampleEvery;
        public List<Integer> plane;
        public List<Integer> windows;
        public List<Integer> sigmaLengths;
        public int thin;
    }

    public static final class Posterior {
        public List<Double> etas;
        public List<Double> simEtas;
        public int chains;
        public long epochs;
        public long burnIn;
        public int batches;
    }

    private ObjectNode tree;

    private NessConfig() {} // bound by Jackson from a resolved tree

    public static ObjectNode defaultsTree() {
        return ConfigLoader.readDefaults(NessConfig.class, DEFAULTS_RESOURCE);
    }

    /** Every valid key (dotted), in the order of the defaults resource. */
    public static List<String> keys() {
        return ConfigLoader.keysOf(defaultsTree());
    }

    public static NessConfig defaults() {
        return of(defaultsTree(), "<defaults>");
    }

    /** Loads {@code configRef} (a path, or a bare name in configs/) with overrides; ConfigException on any problem. */
    public static NessConfig load(String configRef, List<String> overrides) {
        String source = ConfigLoader.resolveConfigPath(configRef).toString();
        return of(ConfigLoader.loadTree(configRef, overrides, defaultsTree(), KEYS_REFERENCE), source);
    }

    /** Resolves YAML text (tests, programmatic use). */
    public static NessConfig fromYaml(String yamlText, List<String> overrides) {
        return of(ConfigLoader.treeFromYaml(yamlText, overrides, defaultsTree(), KEYS_REFERENCE), "<inline>");
    }

    private static NessConfig of(ObjectNode tree, String source) {
        NessConfig c = ConfigLoader.bind(tree, NessConfig.class, source);
        c.tree = tree;
        c.validate(source);
        return c;
    }

    private static void require(boolean ok, String source, String key, Object value, String expected) {
        if (!ok) throw new ConfigException(source + ": key '" + key + "' = " + value + " is invalid; expected " + expected);
    }

    private static boolean positive(double v) {
        return v > 0 && Double.isFinite(v);
    }

    /** Semantic checks; each message names the key, the value and what was expected. */
    void validate(String source) {
        require(!stages.isEmpty(), source, "stages", stages, "at least one of theory, fig1c, stationary, posterior");
        require(model.lambda >= 0 && Double.isFinite(model.lambda), source, "model.lambda", model.lambda, "a number >= 0");
        require(model.mnistExamples > 0, source, "model.mnist_examples", model.mnistExamples, "a positive integer");
        require(positive(sgd.eta), source, "sgd.eta", sgd.eta, "a positive learning rate");
        require(sgd.batch > 0, source, "sgd.batch", sgd.batch, "a positive minibatch size");
        int m = examples();
        require(m % sgd.batch == 0 && sgd.batch < m, source, "sgd.batch", sgd.batch,
                "a divisor of M = " + m + " smaller than M (n = M/m steps per epoch)");
        require(sgd.zeta >= 0 && Double.isFinite(sgd.zeta), source, "sgd.zeta", sgd.zeta, "a number >= 0");
        require(fig1c.runs > 0, source, "fig1c.runs", fig1c.runs, "a positive integer");
        require(fig1c.steps > 0, source, "fig1c.steps", fig1c.steps, "a positive integer");
        require(fig1c.points >= 2, source, "fig1c.points", fig1c.points, "at least 2");
        require(!stationary.dynamics.isEmpty(), source, "stationary.dynamics", stationary.dynamics, "at least one dynamics");
        require(stationary.chains > 0, source, "stationary.chains", stationary.chains, "a positive integer");
        require(stationary.batches >= 2, source, "stationary.batches", stationary.batches, "at least 2 batch means");
        long units = stationary.steps / stepsPerEpoch();
        require(stationary.steps > 0 && units >= stationary.batches, source, "stationary.steps", stationary.steps,
                "at least stationary.batches = " + stationary.batches + " epochs of n = " + stepsPerEpoch() + " steps");
        require(stationary.burnIn >= 0, source, "stationary.burn_in", stationary.burnIn, "a number of steps >= 0");
        require(stationary.bins >= 4, source, "stationary.bins", stationary.bins, "at least 4");
        require(stationary.sampleEvery >= 1 && stationary.steps / stepsPerEpoch() / stationary.sampleEvery >= stationary.batches,
                source, "stationary.sample_every", stationary.sampleEvery, "a positive integer leaving at least stationary.batches samples");
        if (stages.contains(Stage.STATIONARY)) { // the default plane (6, 7) is the regression network's
            require(stationary.plane.size() == 2 && !stationary.plane.get(0).equals(stationary.plane.get(1))
                            && stationary.plane.stream().allMatch(p -> p >= 1 && p <= parameters()),
                    source, "stationary.plane", stationary.plane, "two different parameter indices in 1.." + parameters());
        }
        require(!stationary.windows.isEmpty() && stationary.windows.stream().allMatch(w -> w >= 1),
                source, "stationary.windows", stationary.windows, "sub-trajectory lengths >= 1");
        require(!stationary.sigmaLengths.isEmpty() && stationary.sigmaLengths.stream().allMatch(w -> w >= 1),
                source, "stationary.sigma_lengths", stationary.sigmaLengths, "sub-trajectory lengths >= 1");
        require(stationary.thin >= 1, source, "stationary.thin", stationary.thin, "a positive integer");
        require(!posterior.etas.isEmpty() && posterior.etas.stream().allMatch(NessConfig::positive),
                source, "posterior.etas", posterior.etas, "positive learning rates");
        require(posterior.simEtas.stream().allMatch(NessConfig::positive), source, "posterior.sim_etas", posterior.simEtas,
                "positive learning rates");
        require(posterior.chains > 0, source, "posterior.chains", posterior.chains, "a positive integer");
        require(posterior.batches >= 2, source, "posterior.batches", posterior.batches, "at least 2");
        require(posterior.epochs >= posterior.batches, source, "posterior.epochs", posterior.epochs,
                "at least posterior.batches = " + posterior.batches);
        require(posterior.burnIn >= 0, source, "posterior.burn_in", posterior.burnIn, "a number of epochs >= 0");
        if (stages.contains(Stage.POSTERIOR)) {
            require(model.type == ModelType.LINEARIZED, source, "model.type", yaml(model.type),
                    "linearized for the posterior stage (Fig. 6 needs the exactly known posterior of Eq. 39)");
        }
    }

    static String yaml(Enum<?> e) {
        return e.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** M of the configured model. */
    public int examples() {
        return model.type == ModelType.MNIST ? model.mnistExamples : RegressionData.PAPER_M;
    }

    /** N of the configured model. */
    public int parameters() {
        return switch (model.type) {
            case REGRESSION -> 7;
            case LINEARIZED -> 3;
            case MNIST -> 490;
        };
    }

    /** n = M/m. */
    public int stepsPerEpoch() {
        return examples() / sgd.batch;
    }

    public String toYaml() {
        return ConfigLoader.toYaml(tree);
    }

    /** First 12 hex digits of SHA-256 of the resolved config. */
    public String runId() {
        return ConfigLoader.shortHash(tree);
    }
}

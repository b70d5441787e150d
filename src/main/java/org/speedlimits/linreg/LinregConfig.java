package org.speedlimits.linreg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.speedlimits.config.ConfigException;
import org.speedlimits.config.ConfigLoader;

/**
 * Configuration of the {@code linreg} command, resolved by {@link ConfigLoader}'s rules (the same as {@code train}):
 * built-in defaults ({@value #DEFAULTS_RESOURCE}, next to this class) &larr; a YAML file (a path, or a bare name in
 * {@code configs/}) &larr; {@code --set key=value} overrides. Keys are snake_case; the Java field {@code gammaTime} is
 * the key {@code gamma_time}. The fields carry no defaults of their own: the resource is the one source.
 */
public final class LinregConfig {
    /** The defaults resource; docs/linreg.md's key table mirrors it. */
    public static final String DEFAULTS_RESOURCE = "linreg-defaults.yaml";
    /** Where the keys are documented (named in the unknown-key hint). */
    static final String KEYS_REFERENCE = "docs/linreg.md, 'Config keys'";

    /** Master seed (data, teachers, replicas). */
    public long seed;
    /** theta_0 ~ N(0, (lambda d)^{-1} I). */
    public double lambda;
    /** Extra weight decay: c_d = (lambda + lambda2) d / beta. */
    public double lambda2;
    /** theta_* ~ N(0, alpha/d I). */
    public double alpha;
    /** Input dimension of the simulated problems. */
    public int d;
    /** d/n of the problem in the inefficiency-vs-time panel (n = round(d/gamma)). */
    public double gamma;
    /** Noise levels beta^{-1} (0 = gradient descent). */
    public List<Double> noise;
    /** Langevin/GD replicas per ensemble (independent theta_0 and noise). */
    public int replicas;
    /** Euler-Maruyama / GD time step (in units of the learning-rate-scaled time, eta = 1/n). */
    public double dt;
    /** Observation times of the simulation in the time panel. */
    public List<Double> times;
    /** gamma values of the simulated points in the gamma panels. */
    public List<Double> gammas;
    /** Time at which the inefficiency-vs-gamma panel is evaluated (key {@code gamma_time}). */
    public double gammaTime;
    /** Jackknife groups for the simulation error bars (key {@code jackknife_groups}). */
    public int jackknifeGroups;

    /** The resolved tree (every key, snake_case): what config.yaml states and the run id hashes. */
    private ObjectNode tree;

    private LinregConfig() {} // built by the loaders only (bound by Jackson from a resolved tree)

    /** A fresh copy of the built-in defaults. */
    public static ObjectNode defaultsTree() {
        return ConfigLoader.readDefaults(LinregConfig.class, DEFAULTS_RESOURCE);
    }

    /** Every valid key, in the order of the defaults resource. */
    public static List<String> keys() {
        return ConfigLoader.keysOf(defaultsTree());
    }

    /** The built-in defaults, resolved and validated. */
    public static LinregConfig defaults() {
        return of(defaultsTree(), "<defaults>");
    }

    /**
     * Loads {@code configRef} (a path, or a bare name such as {@code linreg.yaml} or {@code linreg} in configs/) and
     * applies {@code key=value} overrides; throws {@link ConfigException} on any problem, before any work.
     */
    public static LinregConfig load(String configRef, List<String> overrides) {
        String source = ConfigLoader.resolveConfigPath(configRef).toString();
        return of(ConfigLoader.loadTree(configRef, overrides, defaultsTree(), KEYS_REFERENCE), source);
    }

    /** Resolves YAML text (tests, programmatic use). */
    public static LinregConfig fromYaml(String yamlText, List<String> overrides) {
        return of(ConfigLoader.treeFromYaml(yamlText, overrides, defaultsTree(), KEYS_REFERENCE), "<inline>");
    }

    private static LinregConfig of(ObjectNode tree, String source) {
        LinregConfig c = ConfigLoader.bind(tree, LinregConfig.class, source);
        c.tree = canonical(tree);
        c.validate(source);
        return c;
    }

    /** List elements as float64 (a list [1, 2] and [1.0, 2.0] is the same config and the same run id). */
    private static ObjectNode canonical(ObjectNode tree) {
        ObjectNode out = tree.deepCopy();
        for (Iterator<Map.Entry<String, JsonNode>> it = out.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue() instanceof ArrayNode list) {
                for (int i = 0; i < list.size(); i++) list.set(i, DoubleNode.valueOf(list.get(i).asDouble()));
            }
        }
        return out;
    }

    private static void require(boolean ok, String source, String key, Object value, String expected) {
        if (!ok) throw new ConfigException(source + ": key '" + key + "' = " + value + " is invalid; expected " + expected);
    }

    /** Semantic checks; every message names the key, the value and what was expected (as for train). */
    void validate(String source) {
        require(d > 0, source, "d", d, "a positive integer");
        require(replicas > 0, source, "replicas", replicas, "a positive integer");
        require(lambda > 0 && Double.isFinite(lambda), source, "lambda", lambda, "a positive number");
        require(alpha >= 0 && Double.isFinite(alpha), source, "alpha", alpha, "0 or more");
        require(lambda + lambda2 >= 0 && Double.isFinite(lambda2), source, "lambda2", lambda2, "lambda + lambda2 >= 0 (lambda = " + lambda + ")");
        require(gamma > 0 && Double.isFinite(gamma), source, "gamma", gamma, "a positive number");
        require(dt > 0 && Double.isFinite(dt), source, "dt", dt, "a positive number");
        require(gammaTime > 0 && Double.isFinite(gammaTime), source, "gamma_time", gammaTime, "a positive time");
        require(!noise.isEmpty(), source, "noise", noise, "at least one noise level");
        for (Double v : noise)
            require(v >= 0 && Double.isFinite(v), source, "noise", noise, "noise levels that are finite and >= 0");
        require(!times.isEmpty(), source, "times", times, "at least one time");
        for (int i = 0; i < times.size(); i++) {
            double t = times.get(i);
            require(t > 0 && Double.isFinite(t), source, "times", times, "positive finite times");
            require(i == 0 || t > times.get(i - 1), source, "times", times, "strictly increasing times");
            require(Math.round(t / dt) >= 1, source, "times", times, "times of at least one step dt = " + dt + " (" + t + " is shorter)");
        }
        require(!gammas.isEmpty(), source, "gammas", gammas, "at least one value");
        for (Double g : gammas)
            require(g > 0 && Double.isFinite(g), source, "gammas", gammas, "positive finite values");
        require(jackknifeGroups >= 2, source, "jackknife_groups", jackknifeGroups, "at least 2");
        int minReplicas = (int) Math.ceil((d + 2.0) * jackknifeGroups / (jackknifeGroups - 1)) + 1;
        require(replicas >= minReplicas, source, "replicas", replicas, "at least " + minReplicas
                + " so that every jackknife subsample has more replicas than d = " + d + " (Gaussian fit)");
        // Euler stability/accuracy: largest rate a_max ~ (1 + sqrt(gamma))^2 + (lambda + lambda2) beta^{-1} gamma
        double maxNoise = noise.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        List<Double> allGammas = new ArrayList<>(gammas);
        allGammas.add(gamma);
        for (double g : allGammas) {
            double amax = Math.pow(1 + Math.sqrt(g), 2) * 1.5 + (lambda + lambda2) * maxNoise * g;
            require(amax * dt <= 0.5, source, "dt", dt, "dt * a_max <= 0.5 for gamma = " + g
                    + " (a_max ~ " + String.format("%.3g", amax) + "): a smaller step");
        }
    }

    public int n(double g) {
        return Math.max(1, (int) Math.round(d / g));
    }

    public LinregParams params(double tau) {
        return new LinregParams(lambda, lambda2, alpha, tau);
    }

    /** The resolved config as YAML (snake_case, every key): written as the run's config.yaml. */
    public String toYaml() {
        return ConfigLoader.toYaml(tree);
    }

    /** Deterministic run id: first 12 hex digits of SHA-256 of the resolved config. */
    public String runId() {
        return ConfigLoader.shortHash(tree);
    }
}

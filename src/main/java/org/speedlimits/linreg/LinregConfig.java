package org.speedlimits.linreg;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Configuration of the {@code linreg} command (see configs/linreg.yaml for the documented defaults). */
public final class LinregConfig {
    /** Master seed (data, teachers, replicas). */
    public long seed = 1;
    /** theta_0 ~ N(0, (lambda d)^{-1} I). */
    public double lambda = 1.0;
    /** Extra weight decay: c_d = (lambda + lambda2) d / beta. */
    public double lambda2 = 0.0;
    /** theta_* ~ N(0, alpha/d I). */
    public double alpha = 2.0;
    /** Input dimension of the simulated problems. */
    public int d = 40;
    /** d/n of the problem in the inefficiency-vs-time panel (n = round(d/gamma)). */
    public double gamma = 0.5;
    /** Noise levels beta^{-1} (0 = gradient descent). */
    public List<Double> noise = new ArrayList<>(List.of(0.0, 0.1, 1.0));
    /** Langevin/GD replicas per ensemble (independent theta_0 and noise). */
    public int replicas = 800;
    /** Euler-Maruyama / GD time step (in units of the learning-rate-scaled time, eta = 1/n). */
    public double dt = 0.005;
    /** Observation times of the simulation in the time panel. */
    public List<Double> times = new ArrayList<>(List.of(0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0));
    /** gamma values of the simulated points in the gamma panels. */
    public List<Double> gammas = new ArrayList<>(List.of(0.25, 0.5, 1.0, 2.0, 4.0));
    /** Time at which the inefficiency-vs-gamma panel is evaluated. */
    public double gammaTime = 2.0;
    /** Jackknife groups for the simulation error bars. */
    public int jackknifeGroups = 10;

    static final List<String> KEYS = new ArrayList<>();

    static {
        for (Field f : LinregConfig.class.getDeclaredFields())
            if (Modifier.isPublic(f.getModifiers()) && !Modifier.isStatic(f.getModifiers())) KEYS.add(f.getName());
    }

    static ObjectMapper yaml() {
        return new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER))
                .enable(SerializationFeature.INDENT_OUTPUT);
    }

    /** Parses and validates; throws IllegalArgumentException with a clear message on any problem. */
    public static LinregConfig load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("config file not found: " + file);
        ObjectMapper m = yaml();
        Object tree = m.readValue(file.toFile(), Object.class);
        Map<?, ?> map;
        if (tree == null) map = Map.of();
        else if (tree instanceof Map<?, ?> mm) map = mm;
        else throw new IllegalArgumentException("config must be a YAML mapping of keys to values: " + file);
        Map<String, Object> clean = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (!KEYS.contains(key))
                throw new IllegalArgumentException("unknown config key '" + key + "' in " + file + " (did you mean '" + org.speedlimits.config.ConfigLoader.nearest(key, KEYS) + "'?)");
            clean.put(key, e.getValue());
        }
        LinregConfig c;
        try {
            c = m.convertValue(clean, LinregConfig.class);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("invalid value in " + file + ": " + ex.getMessage().split("\n")[0]);
        }
        c.validate();
        return c;
    }

    public void validate() {
        if (d <= 0) throw new IllegalArgumentException("d must be positive, got " + d);
        if (replicas <= 0) throw new IllegalArgumentException("replicas must be positive, got " + replicas);
        if (!(lambda > 0)) throw new IllegalArgumentException("lambda must be positive, got " + lambda);
        if (!(alpha >= 0)) throw new IllegalArgumentException("alpha must be >= 0, got " + alpha);
        if (!(lambda + lambda2 >= 0)) throw new IllegalArgumentException("lambda + lambda2 must be >= 0");
        if (!(gamma > 0) || Double.isInfinite(gamma)) throw new IllegalArgumentException("gamma must be positive, got " + gamma);
        if (!(dt > 0)) throw new IllegalArgumentException("dt must be positive, got " + dt);
        if (!(gammaTime > 0)) throw new IllegalArgumentException("gammaTime must be positive, got " + gammaTime);
        if (noise == null || noise.isEmpty()) throw new IllegalArgumentException("noise must list at least one level");
        for (Double v : noise)
            if (v == null || !(v >= 0) || v.isInfinite()) throw new IllegalArgumentException("noise levels must be finite and >= 0, got " + v);
        if (times == null || times.isEmpty()) throw new IllegalArgumentException("times must list at least one time");
        for (int i = 0; i < times.size(); i++) {
            Double t = times.get(i);
            if (t == null || !(t > 0) || t.isInfinite()) throw new IllegalArgumentException("times must be positive and finite, got " + t);
            if (i > 0 && !(t > times.get(i - 1))) throw new IllegalArgumentException("times must be strictly increasing");
            if (Math.round(t / dt) < 1) throw new IllegalArgumentException("time " + t + " is shorter than one step dt=" + dt);
        }
        if (gammas == null || gammas.isEmpty()) throw new IllegalArgumentException("gammas must list at least one value");
        for (Double g : gammas)
            if (g == null || !(g > 0) || g.isInfinite()) throw new IllegalArgumentException("gammas must be positive, got " + g);
        if (jackknifeGroups < 2) throw new IllegalArgumentException("jackknifeGroups must be >= 2, got " + jackknifeGroups);
        int minReplicas = (int) Math.ceil((d + 2.0) * jackknifeGroups / (jackknifeGroups - 1)) + 1;
        if (replicas < minReplicas)
            throw new IllegalArgumentException("replicas must be >= " + minReplicas + " so that every jackknife subsample has more replicas than d=" + d + " (Gaussian fit), got " + replicas);
        // Euler stability/accuracy: largest rate a_max ~ (1 + sqrt(gamma))^2 + (lambda + lambda2) beta^{-1} gamma
        double maxNoise = noise.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        List<Double> allGammas = new ArrayList<>(gammas);
        allGammas.add(gamma);
        for (double g : allGammas) {
            double amax = Math.pow(1 + Math.sqrt(g), 2) * 1.5 + (lambda + lambda2) * maxNoise * g;
            if (amax * dt > 0.5)
                throw new IllegalArgumentException("dt=" + dt + " too large for gamma=" + g + " (need dt * a_max < 0.5, a_max ~ " + String.format("%.3g", amax) + ")");
        }
    }

    public int n(double g) {
        return Math.max(1, (int) Math.round(d / g));
    }

    public LinregParams params(double tau) {
        return new LinregParams(lambda, lambda2, alpha, tau);
    }

    public String toYaml() {
        try {
            return yaml().writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deterministic run id: first 12 hex digits of SHA-256 of the resolved config. */
    public String runId() {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(toYaml().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h).substring(0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

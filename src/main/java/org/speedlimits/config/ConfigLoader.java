package org.speedlimits.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Resolves a run's configuration: built-in defaults ({@code defaults.yaml}) ← a YAML file ← {@code key=value}
 * overrides. Every key must exist in the defaults and keep its type; the result is validated before any work starts.
 */
public final class ConfigLoader {
    /** Where a bare config name such as {@code myrtle5.yaml} is looked up. */
    public static final Path CONFIG_DIR = Path.of("configs");

    private static final String DEFAULTS_RESOURCE = "defaults.yaml";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private static final ObjectMapper BINDER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private ConfigLoader() {
    }

    /** The resolved configuration: the merged YAML tree (written as config.yaml) and its typed view. */
    public record Resolved(ObjectNode tree, ExperimentConfig config, String source) {
        public String toYaml() {
            try {
                return YAML.writeValueAsString(tree);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Loads {@code configRef} (a path, or a bare name in {@code configs/}) and applies the overrides. */
    public static Resolved load(String configRef, List<String> overrides) {
        Path path = resolvePath(configRef);
        JsonNode user;
        try {
            user = YAML.readTree(path.toFile());
        } catch (IOException e) {
            throw new ConfigException("cannot parse config " + path + ": " + e.getMessage(), e);
        }
        return resolve(user, overrides, path.toString());
    }

    /** Resolves a config given as YAML text (tests, programmatic use). */
    public static Resolved fromYaml(String yamlText, List<String> overrides) {
        try {
            return resolve(YAML.readTree(yamlText), overrides, "<inline>");
        } catch (JsonProcessingException e) {
            throw new ConfigException("cannot parse config YAML: " + e.getOriginalMessage(), e);
        }
    }

    /** Reads the config.yaml a run directory holds (it is already resolved). */
    public static Resolved fromRunConfig(Path configYaml) {
        return load(configYaml.toString(), List.of());
    }

    static Path resolvePath(String configRef) {
        if (configRef == null || configRef.isBlank()) {
            throw new ConfigException("no config given: use -Dconfig=<name>.yaml (a file in configs/) or a path");
        }
        Path direct = Path.of(configRef);
        if (Files.isRegularFile(direct)) {
            return direct;
        }
        if (direct.getNameCount() == 1) {
            for (String candidate : new String[]{configRef, configRef + ".yaml"}) {
                Path inDir = CONFIG_DIR.resolve(candidate);
                if (Files.isRegularFile(inDir)) {
                    return inDir;
                }
            }
        }
        throw new ConfigException("config file not found: '" + configRef + "' (looked at " + direct.toAbsolutePath()
                + (direct.getNameCount() == 1 ? " and in " + CONFIG_DIR.toAbsolutePath() : "") + ")");
    }

    private static Resolved resolve(JsonNode user, List<String> overrides, String source) {
        ObjectNode tree = defaults();
        if (user != null && !user.isNull() && !user.isMissingNode()) {
            if (!user.isObject()) {
                throw new ConfigException(source + ": expected a YAML mapping of keys at the top level, got " + user.getNodeType());
            }
            mergeInto(tree, (ObjectNode) user, "", source);
        }
        for (String assignment : splitOverrides(overrides)) {
            applyOverride(tree, assignment);
        }
        horizonFromTime(tree, source);
        ExperimentConfig config = bind(tree, source);
        ConfigValidator.validate(config, source);
        return new Resolved(tree, config, source);
    }

    /** train.time = T > 0 sets train.epochs = T / lr, so the resolved config states both consistently. */
    private static void horizonFromTime(ObjectNode tree, String source) {
        JsonNode train = tree.path("train");
        double time = train.path("time").asDouble(0);
        double lr = train.path("lr").asDouble(Double.NaN);
        if (time > 0 && lr > 0) {
            long epochs = ExperimentConfig.epochOf(time, lr);
            if (epochs < 1) {
                throw new ConfigException(source + ": key 'train.time' = " + time + " is invalid; expected a whole "
                        + "multiple of train.lr = " + lr + " (physical time is t = lr * epoch for both dynamics)");
            }
            ((ObjectNode) train).put("epochs", epochs);
        }
    }

    static ObjectNode defaults() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + DEFAULTS_RESOURCE);
            }
            return (ObjectNode) YAML.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read built-in defaults", e);
        }
    }

    /** The built-in default of one top-level section (e.g. {@code ntk}). */
    public static JsonNode defaultSection(String name) {
        return defaults().path(name);
    }

    /** Every valid dotted key, e.g. {@code train.lr}. */
    public static List<String> validKeys() {
        List<String> keys = new ArrayList<>();
        collectKeys(defaults(), "", keys);
        return keys;
    }

    private static void collectKeys(JsonNode node, String prefix, List<String> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix + e.getKey();
            if (e.getValue().isObject()) {
                collectKeys(e.getValue(), key + ".", out);
            } else {
                out.add(key);
            }
        }
    }

    private static void mergeInto(ObjectNode target, ObjectNode user, String prefix, String source) {
        for (Iterator<Map.Entry<String, JsonNode>> it = user.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix + e.getKey();
            JsonNode current = target.get(e.getKey());
            if (current == null) {
                throw unknownKey(key, source);
            }
            if (current.isObject()) {
                if (!e.getValue().isObject()) {
                    throw new ConfigException(source + ": key '" + key + "' is a section; expected a mapping with keys "
                            + fieldNames(current) + ", got '" + e.getValue().asText() + "'");
                }
                mergeInto((ObjectNode) current, (ObjectNode) e.getValue(), key + ".", source);
            } else {
                target.set(e.getKey(), coerce(key, current, e.getValue(), source));
            }
        }
    }

    public static List<String> splitOverrides(List<String> overrides) {
        List<String> out = new ArrayList<>();
        if (overrides != null) {
            for (String group : overrides) {
                if (group != null) {
                    Arrays.stream(group.trim().split("\\s+")).filter(s -> !s.isEmpty()).forEach(out::add);
                }
            }
        }
        return out;
    }

    private static void applyOverride(ObjectNode tree, String assignment) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException("override '" + assignment + "' is not of the form key=value (e.g. train.epochs=50)");
        }
        String key = assignment.substring(0, eq).trim();
        String text = assignment.substring(eq + 1).trim();
        String[] parts = key.split("\\.");
        ObjectNode parent = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = parent.get(parts[i]);
            if (child == null || !child.isObject()) {
                throw unknownKey(key, "override");
            }
            parent = (ObjectNode) child;
        }
        JsonNode current = parent.get(parts[parts.length - 1]);
        if (current == null) {
            throw unknownKey(key, "override");
        }
        if (current.isObject()) {
            throw new ConfigException("override '" + assignment + "': '" + key + "' is a section; set one of its keys "
                    + fieldNames(current));
        }
        JsonNode value;
        try {
            value = text.isEmpty() ? TextNode.valueOf("") : YAML.readTree(text);
        } catch (JsonProcessingException e) {
            value = TextNode.valueOf(text);
        }
        parent.set(parts[parts.length - 1], coerce(key, current, value == null ? TextNode.valueOf(text) : value, "override"));
    }

    /** Converts a user value to the type of the default, or fails naming key, expected type and value. */
    private static JsonNode coerce(String key, JsonNode defaultValue, JsonNode value, String source) {
        String shown = value.isTextual() ? "'" + value.asText() + "'" : value.toString();
        if (defaultValue.isBoolean()) {
            if (value.isBoolean()) {
                return value;
            }
            if (value.isTextual() && (value.asText().equalsIgnoreCase("true") || value.asText().equalsIgnoreCase("false"))) {
                return BooleanNode.valueOf(Boolean.parseBoolean(value.asText()));
            }
            throw wrongType(source, key, "true or false", shown);
        }
        if (defaultValue.isNumber()) {
            Double number = asNumber(value);
            if (number == null) {
                throw wrongType(source, key, defaultValue.isIntegralNumber() ? "an integer" : "a number", shown);
            }
            if (defaultValue.isIntegralNumber()) {
                if (number != Math.rint(number) || Math.abs(number) > 9.0e15) {
                    throw wrongType(source, key, "an integer", shown);
                }
                return LongNode.valueOf(number.longValue());
            }
            return DoubleNode.valueOf(number);
        }
        if (defaultValue.isArray()) {
            // a list of scalars; a single scalar is read as a one-element list (--set hooks.anchors=100)
            com.fasterxml.jackson.databind.node.ArrayNode list = JsonNodeFactory.instance.arrayNode();
            if (value.isArray()) {
                for (JsonNode element : value) {
                    if (!element.isValueNode() || element.isNull()) {
                        throw wrongType(source, key, "a list of numbers or strings", shown);
                    }
                    list.add(element);
                }
            } else if (value.isValueNode() && !value.isNull()) {
                list.add(value);
            } else {
                throw wrongType(source, key, "a list such as [0, 100]", shown);
            }
            return list;
        }
        if (defaultValue.isTextual()) {
            if (value.isValueNode() && !value.isNull()) {
                return TextNode.valueOf(value.asText());
            }
            throw wrongType(source, key, "a string", shown);
        }
        throw new IllegalStateException("unsupported default type for " + key);
    }

    /** YAML 1.1 reads {@code 1e-4} as a string, so numeric strings are accepted for numeric keys. */
    private static Double asNumber(JsonNode value) {
        if (value.isNumber()) {
            return value.asDouble();
        }
        if (value.isTextual()) {
            try {
                double d = Double.parseDouble(value.asText().trim());
                return Double.isNaN(d) ? null : d;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static ExperimentConfig bind(ObjectNode tree, String source) {
        try {
            return BINDER.treeToValue(tree, ExperimentConfig.class);
        } catch (InvalidFormatException e) {
            String key = e.getPath().stream().map(r -> r.getFieldName()).reduce((a, b) -> a + "." + b).orElse("?");
            Class<?> target = e.getTargetType();
            String expected = target.isEnum()
                    ? "one of " + Arrays.stream(target.getEnumConstants()).map(c -> ExperimentConfig.yamlName((Enum<?>) c)).toList()
                    : target.getSimpleName();
            throw new ConfigException(source + ": key '" + key + "' expects " + expected + ", got '" + e.getValue() + "'", e);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": " + e.getOriginalMessage(), e);
        }
    }

    private static ConfigException wrongType(String source, String key, String expected, String got) {
        return new ConfigException(source + ": key '" + key + "' expects " + expected + ", got " + got);
    }

    private static ConfigException unknownKey(String key, String source) {
        String nearest = nearest(key, validKeys());
        return new ConfigException(source + ": unknown key '" + key + "'; did you mean '" + nearest + "'? "
                + "(valid keys are listed in README, 'Config reference')");
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The candidate closest to {@code key} by edit distance, comparing full dotted keys and their last segments. */
    public static String nearest(String key, Collection<String> candidates) {
        String leaf = key.substring(key.lastIndexOf('.') + 1);
        return candidates.stream().min(Comparator.comparingInt((String c) -> Math.min(
                        editDistance(key, c), editDistance(leaf, c.substring(c.lastIndexOf('.') + 1)) + 1))
                .thenComparing(c -> c)).orElse("?");
    }

    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

}

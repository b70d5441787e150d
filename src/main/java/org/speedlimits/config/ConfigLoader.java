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

    // ---- a command's own config schema (e.g. linreg): the same lookup, merge, --set, type and unknown-key rules

    /**
     * The keys a config tree may use, where they are documented (named in the unknown-key hint) and an example
     * override (named in the not-key=value hint).
     */
    private record KeySpace(java.util.function.Supplier<List<String>> keys, String reference, String example) {
        static final KeySpace TRAIN = new KeySpace(ConfigLoader::validKeys, "README, 'Config reference'", "train.epochs=50");

        static KeySpace of(ObjectNode defaults, String reference) {
            List<String> keys = keysOf(defaults);
            return new KeySpace(() -> keys, reference, keys.isEmpty() ? "key=value" : keys.get(0) + "=...");
        }
    }

    /**
     * Resolves a config against a command's own defaults with exactly the rules of {@link #load}: {@code defaults}
     * &larr; the YAML file {@code configRef} (a path, or a bare name looked up in {@code configs/}) &larr;
     * {@code key=value} overrides (the syntax of {@code train --set}, see {@link #splitOverrides}). Every key must
     * exist in the defaults and keeps the default's type (the same coercion as {@code train}); an unknown key names
     * the nearest valid key and {@code keysReference} (where the keys are documented). {@code defaults} is not modified.
     *
     * @return the merged tree (every key of the defaults, with the user's values)
     */
    public static ObjectNode loadTree(String configRef, List<String> overrides, ObjectNode defaults, String keysReference) {
        Path path = resolvePath(configRef);
        return resolveTree(readYaml(path), overrides, defaults, path.toString(), keysReference);
    }

    /** {@link #loadTree} for YAML text instead of a file (tests, programmatic use). */
    public static ObjectNode treeFromYaml(String yamlText, List<String> overrides, ObjectNode defaults, String keysReference) {
        JsonNode user;
        try {
            user = YAML.readTree(yamlText);
        } catch (JsonProcessingException e) {
            throw new ConfigException("cannot parse config YAML: " + e.getOriginalMessage(), e);
        }
        return resolveTree(user, overrides, defaults, "<inline>", keysReference);
    }

    /** Reads a defaults YAML resource that lies next to {@code owner} (e.g. {@code linreg-defaults.yaml}). */
    public static ObjectNode readDefaults(Class<?> owner, String resource) {
        try (InputStream in = owner.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource + " next to " + owner.getName());
            }
            JsonNode tree = YAML.readTree(in);
            if (!(tree instanceof ObjectNode object)) {
                throw new IllegalStateException("resource " + resource + " is not a YAML mapping");
            }
            return object;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read built-in defaults " + resource, e);
        }
    }

    /** Where {@code configRef} is read from: the path itself, else a bare name (with or without .yaml) in {@code configs/}. */
    public static Path resolveConfigPath(String configRef) {
        return resolvePath(configRef);
    }

    /** Every dotted key of a tree (its leaves), e.g. {@code train.lr}. */
    public static List<String> keysOf(JsonNode tree) {
        List<String> keys = new ArrayList<>();
        collectKeys(tree, "", keys);
        return keys;
    }

    /** First 12 hex digits of SHA-256 of the tree's YAML: the run id of the commands that name runs by config. */
    public static String shortHash(JsonNode tree) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(toYaml(tree).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(h).substring(0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The tree as YAML, in the style of the config.yaml that {@code train} writes. */
    public static String toYaml(JsonNode tree) {
        try {
            return YAML.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Binds a resolved tree to {@code type} with snake_case keys (Java field {@code jackknifeGroups} is key
     * {@code jackknife_groups}); a value of the wrong type names the key, the expected type and the value.
     */
    public static <T> T bind(ObjectNode tree, Class<T> type, String source) {
        try {
            return BINDER.treeToValue(tree, type);
        } catch (InvalidFormatException e) {
            StringBuilder key = new StringBuilder();
            for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : e.getPath()) {
                if (r.getFieldName() != null) {
                    key.append(key.length() == 0 ? "" : ".").append(r.getFieldName());
                } else {
                    key.append('[').append(r.getIndex()).append(']');
                }
            }
            Class<?> target = e.getTargetType();
            String expected = target.isEnum()
                    ? "one of " + Arrays.stream(target.getEnumConstants()).map(c -> ExperimentConfig.yamlName((Enum<?>) c)).toList()
                    : Number.class.isAssignableFrom(target) ? "a number" : target.getSimpleName();
            throw new ConfigException(source + ": key '" + key + "' expects " + expected + ", got '" + e.getValue() + "'", e);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": " + e.getOriginalMessage(), e);
        }
    }

    private static JsonNode readYaml(Path path) {
        try {
            return YAML.readTree(path.toFile());
        } catch (IOException e) {
            throw new ConfigException("cannot parse config " + path + ": " + e.getMessage(), e);
        }
    }

    private static ObjectNode resolveTree(JsonNode user, List<String> overrides, ObjectNode defaults, String source,
                                          String keysReference) {
        KeySpace keys = KeySpace.of(defaults, keysReference);
        ObjectNode tree = defaults.deepCopy();
        if (user != null && !user.isNull() && !user.isMissingNode()) {
            if (!user.isObject()) {
                throw new ConfigException(source + ": expected a YAML mapping of keys at the top level, got " + user.getNodeType());
            }
            mergeInto(tree, (ObjectNode) user, "", source, keys);
        }
        for (String assignment : splitOverrides(overrides)) {
            applyOverride(tree, assignment, keys);
        }
        return tree;
    }

    static Path resolvePath(String configRef) {
        if (configRef == null || configRef.isBlank()) {
            throw new ConfigException("no config given: use -Dconfig=<name>.yaml (a file in configs/) or a path");
        }
        Path direct = Path.of(configRef);
        if (Files.isRegularFile(direct)) {
            return direct;
        }
        boolean bare = direct.getNameCount() == 1;
        if (bare) {
            for (String candidate : new String[]{configRef, configRef + ".yaml"}) {
                Path inDir = CONFIG_DIR.resolve(candidate);
                if (Files.isRegularFile(inDir)) {
                    return inDir;
                }
            }
        }
        // not found: the nearest name where the reference was looked for (configs/ for a bare name, else the
        // path's own folder), and a pointer to `sweep` when the name is one of experiments/' sweep files
        StringBuilder message = new StringBuilder("config file not found: '" + configRef + "' (looked at "
                + direct.toAbsolutePath() + (bare ? " and in " + CONFIG_DIR.toAbsolutePath() : "") + ")");
        Path folder = bare ? CONFIG_DIR : direct.toAbsolutePath().getParent();
        String name = direct.getFileName().toString();
        java.util.Optional<Path> nearest = folder == null ? java.util.Optional.empty() : NearestFile.in(folder, name);
        if (nearest.isPresent()) {
            Path suggestion = bare ? nearest.get().getFileName() : direct.resolveSibling(nearest.get().getFileName());
            message.append("; did you mean '").append(suggestion).append("'?");
        } else if (folder != null && !NearestFile.listing(folder).isEmpty()) {
            message.append("; ").append(bare ? CONFIG_DIR : folder).append(" has ").append(NearestFile.listing(folder));
        }
        if (bare) {
            Path experiments = Path.of("experiments");
            for (String candidate : new String[]{configRef, configRef + ".yaml"}) {
                if (Files.isRegularFile(experiments.resolve(candidate))) {
                    message.append(" (").append(experiments.resolve(candidate)).append(" is an experiment (sweep) file: "
                            + "run it with `sweep plan|local|submit ").append(experiments.resolve(candidate)).append("`)");
                    break;
                }
            }
        }
        throw new ConfigException(message.toString());
    }

    private static Resolved resolve(JsonNode user, List<String> overrides, String source) {
        ObjectNode tree = defaults();
        if (user != null && !user.isNull() && !user.isMissingNode()) {
            if (!user.isObject()) {
                throw new ConfigException(source + ": expected a YAML mapping of keys at the top level, got " + user.getNodeType());
            }
            mergeInto(tree, (ObjectNode) user, "", source);
        }
        List<String> assignments = splitOverrides(overrides);
        for (String assignment : assignments) {
            applyOverride(tree, assignment);
        }
        JsonNode userTrain = user == null ? null : user.path("train");
        horizonFromTime(tree, layer("time", userTrain, assignments), layer("epochs", userTrain, assignments), source);
        ExperimentConfig config = bind(tree, source);
        ConfigValidator.validate(config, source);
        return new Resolved(tree, config, source);
    }

    /** Where train.KEY was last set: 2 an override, 1 the config file, 0 only the defaults. */
    private static int layer(String key, JsonNode userTrain, List<String> assignments) {
        if (assignments.stream().anyMatch(a -> a.startsWith("train." + key + "="))) {
            return 2;
        }
        return userTrain != null && userTrain.has(key) ? 1 : 0;
    }

    /**
     * The horizon is train.time = T or train.epochs = T / lr, whichever was set in the later layer (an override
     * beats the file, the file the defaults); the resolved config then states both consistently (time 0 when the
     * epochs rule). Both set in the same layer must agree.
     */
    private static void horizonFromTime(ObjectNode tree, int timeLayer, int epochsLayer, String source) {
        ObjectNode train = (ObjectNode) tree.path("train");
        double time = train.path("time").asDouble(0);
        double lr = train.path("lr").asDouble(Double.NaN);
        if (time <= 0 || !(lr > 0)) {
            return;
        }
        if (epochsLayer > timeLayer) {
            train.put("time", 0.0);
            return;
        }
        long epochs = ExperimentConfig.epochOf(time, lr);
        if (epochs < 1) {
            throw new ConfigException(source + ": key 'train.time' = " + time + " is invalid; expected a whole "
                    + "multiple of train.lr = " + lr + " (physical time is t = lr * epoch for both dynamics)");
        }
        if (epochsLayer == timeLayer && train.path("epochs").asLong() != epochs) {
            throw new ConfigException(source + ": keys 'train.time' = " + time + " and 'train.epochs' = "
                    + train.path("epochs").asLong() + " disagree (T = lr * epochs with lr = " + lr + "); set only one");
        } else {
            train.put("epochs", epochs);
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
        mergeInto(target, user, prefix, source, KeySpace.TRAIN);
    }

    private static void mergeInto(ObjectNode target, ObjectNode user, String prefix, String source, KeySpace keys) {
        for (Iterator<Map.Entry<String, JsonNode>> it = user.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix + e.getKey();
            JsonNode current = target.get(e.getKey());
            if (current == null) {
                throw unknownKey(key, source, keys);
            }
            if (current.isObject()) {
                if (!e.getValue().isObject()) {
                    throw new ConfigException(source + ": key '" + key + "' is a section; expected a mapping with keys "
                            + fieldNames(current) + ", got '" + e.getValue().asText() + "'");
                }
                mergeInto((ObjectNode) current, (ObjectNode) e.getValue(), key + ".", source, keys);
            } else {
                target.set(e.getKey(), coerce(key, current, e.getValue(), source));
            }
        }
    }

    /**
     * The {@code key=value} assignments of {@code --set} arguments: each argument is split at whitespace, except
     * whitespace inside {@code [...]} or {@code {...}} (YAML flow lists and maps, also nested) or inside a quoted
     * value ({@code '...'} or {@code "..."}, where a quote opens at the start of a word or value: after {@code =},
     * {@code :}, {@code ,}, a bracket or whitespace, so {@code it's} stays a plain word). So
     * {@code --set "ntk.epochs=[0, final] train.epochs=50"} is two assignments. An unclosed or unmatched bracket or
     * quote is a {@link ConfigException} naming the argument and the position.
     */
    public static List<String> splitOverrides(List<String> overrides) {
        List<String> out = new ArrayList<>();
        if (overrides == null) {
            return out;
        }
        for (String group : overrides) {
            if (group == null) {
                continue;
            }
            StringBuilder word = new StringBuilder();
            java.util.ArrayDeque<Integer> open = new java.util.ArrayDeque<>(); // positions of unclosed [ and {
            int quoteAt = -1;
            char quote = 0;
            for (int i = 0; i < group.length(); i++) {
                char c = group.charAt(i);
                if (quote != 0) {
                    word.append(c);
                    if (c == '\\' && quote == '"' && i + 1 < group.length()) {
                        word.append(group.charAt(++i)); // an escape in a YAML double-quoted value
                    } else if (c == quote) {
                        quote = 0;
                    }
                    continue;
                }
                if (Character.isWhitespace(c) && open.isEmpty()) {
                    if (word.length() > 0) {
                        out.add(word.toString());
                        word.setLength(0);
                    }
                    continue;
                }
                if ((c == '\'' || c == '"') && (word.length() == 0 || "=:,[{ \t".indexOf(word.charAt(word.length() - 1)) >= 0)) {
                    quote = c;
                    quoteAt = i;
                } else if (c == '[' || c == '{') {
                    open.push(i);
                } else if (c == ']' || c == '}') {
                    char opener = c == ']' ? '[' : '{';
                    if (open.isEmpty()) {
                        throw unbalancedOverride(group, "'" + c + "' at character " + (i + 1) + " closes nothing");
                    }
                    if (group.charAt(open.peek()) != opener) {
                        throw unbalancedOverride(group, "'" + c + "' at character " + (i + 1) + " closes the '"
                                + group.charAt(open.peek()) + "' at character " + (open.peek() + 1));
                    }
                    open.pop();
                }
                word.append(c);
            }
            if (quote != 0) {
                throw unbalancedOverride(group, "the " + quote + " at character " + (quoteAt + 1) + " is never closed");
            }
            if (!open.isEmpty()) {
                throw unbalancedOverride(group, "the '" + group.charAt(open.peek()) + "' at character "
                        + (open.peek() + 1) + " is never closed");
            }
            if (word.length() > 0) {
                out.add(word.toString());
            }
        }
        return out;
    }

    private static ConfigException unbalancedOverride(String group, String problem) {
        return new ConfigException("override '" + group + "': " + problem + " (--set takes space-separated key=value "
                + "assignments; spaces may appear inside [...], {...} or quotes, e.g. --set \"ntk.epochs=[0, final]\")");
    }

    private static void applyOverride(ObjectNode tree, String assignment) {
        applyOverride(tree, assignment, KeySpace.TRAIN);
    }

    private static void applyOverride(ObjectNode tree, String assignment, KeySpace keys) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException("override '" + assignment + "' is not of the form key=value (e.g. " + keys.example() + ")");
        }
        String key = assignment.substring(0, eq).trim();
        String text = assignment.substring(eq + 1).trim();
        String[] parts = key.split("\\.");
        ObjectNode parent = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = parent.get(parts[i]);
            if (child == null || !child.isObject()) {
                throw unknownKey(key, "override", keys);
            }
            parent = (ObjectNode) child;
        }
        JsonNode current = parent.get(parts[parts.length - 1]);
        if (current == null) {
            throw unknownKey(key, "override", keys);
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
        return unknownKey(key, source, KeySpace.TRAIN);
    }

    private static ConfigException unknownKey(String key, String source, KeySpace keys) {
        String nearest = nearest(key, keys.keys().get());
        return new ConfigException(source + ": unknown key '" + key + "'; did you mean '" + nearest + "'? "
                + "(valid keys are listed in " + keys.reference() + ")");
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

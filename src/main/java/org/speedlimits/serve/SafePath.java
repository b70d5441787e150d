package org.speedlimits.serve;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Maps the raw (still percent-encoded) path of a request onto a file or folder inside the served root, or nothing.
 * Every segment is decoded on its own, so an encoded {@code %2e%2e} or {@code %2f} cannot slip past a check made on
 * the encoded text; a segment that decodes to {@code .}, {@code ..}, to a name starting with a dot, to anything with a
 * slash, backslash or NUL, or an empty segment ({@code //etc}: an absolute path) is refused. What is left is resolved
 * against the root's real path, normalised, and then resolved again through the filesystem
 * ({@link Path#toRealPath}): a symlink whose target lies outside the root is refused like {@code ..}. Callers answer
 * every refusal with 404, so a client cannot even tell what exists outside the root.
 */
public final class SafePath {
    private SafePath() {
    }

    /**
     * The real path of {@code rawRelative} (segments separated by '/', percent-encoded) under {@code realRoot} (itself
     * a real path), when it exists and lies inside the root; the empty string is the root itself.
     */
    public static Optional<Path> resolve(Path realRoot, String rawRelative) {
        Optional<List<String>> segments = segments(rawRelative);
        if (segments.isEmpty()) {
            return Optional.empty();
        }
        try {
            Path candidate = realRoot;
            for (String s : segments.get()) {
                candidate = candidate.resolve(s);
            }
            candidate = candidate.normalize();
            if (!candidate.startsWith(realRoot)) {
                return Optional.empty();
            }
            Path real = candidate.toRealPath();
            return real.startsWith(realRoot) ? Optional.of(real) : Optional.empty();
        } catch (IOException | InvalidPathException e) {
            return Optional.empty(); // missing, unreadable or not a valid name: all the same to the client
        }
    }

    /** As {@link #resolve}, and only a regular file. */
    public static Optional<Path> file(Path realRoot, String rawRelative) {
        return resolve(realRoot, rawRelative).filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS));
    }

    /** As {@link #resolve}, and only a folder. */
    public static Optional<Path> folder(Path realRoot, String rawRelative) {
        return resolve(realRoot, rawRelative).filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS));
    }

    /** The decoded segments of a relative request path, or empty if any segment is refused (see the class doc). */
    static Optional<List<String>> segments(String rawRelative) {
        List<String> out = new ArrayList<>();
        if (rawRelative.isEmpty()) {
            return Optional.of(out);
        }
        for (String raw : rawRelative.split("/", -1)) {
            Optional<String> s = decode(raw);
            if (s.isEmpty()) {
                return Optional.empty();
            }
            String name = s.get();
            if (name.isEmpty() || name.startsWith(".") || name.indexOf('/') >= 0 || name.indexOf('\\') >= 0
                    || name.indexOf('\0') >= 0) {
                return Optional.empty();
            }
            out.add(name);
        }
        return Optional.of(out);
    }

    /** Strict percent-decoding of one segment as UTF-8 ('+' stays '+'); empty on a malformed escape or bad UTF-8. */
    static Optional<String> decode(String raw) {
        if (raw.indexOf('%') < 0) {
            return Optional.of(raw);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    return Optional.empty();
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return Optional.empty();
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(b, 0, b.length);
            }
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /** The request-path form of {@code path} relative to {@code realRoot}: segments percent-encoded, joined by '/'. */
    public static String encode(Path realRoot, Path path) {
        StringBuilder out = new StringBuilder();
        for (Path segment : realRoot.relativize(path)) {
            if (out.length() > 0) {
                out.append('/');
            }
            for (byte b : segment.toString().getBytes(StandardCharsets.UTF_8)) {
                int c = b & 0xff;
                if (Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '_' || c == '.' || c == '~'
                        || c == '=' || c == '+' || c == ',') {
                    out.append((char) c);
                } else {
                    out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
                }
            }
        }
        return out.toString();
    }
}

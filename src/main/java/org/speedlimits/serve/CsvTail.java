package org.speedlimits.serve;

import org.speedlimits.io.EpochCsv;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a CSV that another process is appending to (metrics.csv of a live run) from a byte offset on, so a client that
 * polls gets only the new rows and a 100k-row file is never parsed from the start again. Only the bytes after the
 * offset are read (a {@link FileChannel} positioned there), at most {@code maxBytes} per call, so memory stays bounded
 * however large the file is; the reply ends at the last complete line and says where to continue.
 *
 * <ul>
 *   <li>A last line without its newline is being written right now: it is not consumed (the next offset stays before
 *   it), so it is read whole on a later call.</li>
 *   <li>A line with the wrong number of cells or a cell that is not a number is skipped and counted
 *   ({@link Chunk#skipped}); the rows around it are kept.</li>
 *   <li>A single line longer than {@code maxBytes} is skipped too (counted), by scanning for its end with a small
 *   buffer.</li>
 *   <li>The file can be replaced: a resumed run rewrites metrics.csv without the rows after its checkpoint (a new file,
 *   atomically renamed) and appends again. A reply carries the file's identity ({@link Chunk#fileId}: device and
 *   inode); when the client's identity differs, or its offset lies beyond the end of the file (truncated), the read
 *   starts again at 0 with {@link Chunk#reset} set, and the client drops what it had.</li>
 * </ul>
 * Cells are parsed by {@link EpochCsv#parseRow}, the project's one reader of these rows.
 */
public final class CsvTail {
    /** Default and limits of the bytes read per call. */
    public static final int DEFAULT_MAX_BYTES = 1 << 20;
    public static final int MIN_MAX_BYTES = 1 << 10;
    public static final int MAX_MAX_BYTES = 8 << 20;
    /** The header line must fit in this many bytes. */
    static final int HEADER_LIMIT = 1 << 16;

    /**
     * One read: the header (always; cheap, and the client may have reset), the complete rows after the offset, where to
     * continue ({@code next}), how many lines were skipped as malformed, whether the read restarted at 0, the file size
     * and identity when read, and whether more complete bytes follow (the cap was hit: ask again at once).
     */
    public record Chunk(List<String> header, List<double[]> rows, long offset, long next, int skipped, boolean reset,
                        long size, String fileId, boolean more) {
    }

    private CsvTail() {
    }

    /**
     * The rows of {@code file} whose lines start at or after {@code offset} (0: from the first data line).
     *
     * @param fileId the identity the client got with its offset, or null on the first call
     * @return no header and no rows while the file has no complete header line (in its first 64 KiB)
     * @throws IOException when the file cannot be read
     */
    public static Chunk read(Path file, long offset, String fileId, int maxBytes) throws IOException {
        int cap = Math.max(MIN_MAX_BYTES, Math.min(MAX_MAX_BYTES, maxBytes));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            String id = fileId(file);
            long size = ch.size();
            Optional<String> first = firstLine(ch, size);
            if (first.isEmpty()) { // just created, header not flushed yet: nothing to read, ask again later
                return new Chunk(List.of(), List.of(), 0, 0, 0, offset != 0, size, id, false);
            }
            String headerLine = first.get();
            long dataStart = headerLine.getBytes(StandardCharsets.UTF_8).length + 1L;
            List<String> header = List.of(headerLine.split(",", -1));
            boolean reset = offset < 0 || offset > size || (fileId != null && !fileId.equals(id))
                    || (offset > 0 && offset < dataStart);
            long from = reset || offset == 0 ? dataStart : offset;
            List<double[]> rows = new ArrayList<>();
            int skipped = 0;
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(cap, Math.max(0, size - from)));
            readFully(ch, buf, from);
            byte[] bytes = buf.array();
            int n = buf.position();
            int lineStart = 0;
            for (int i = 0; i < n; i++) {
                if (bytes[i] == '\n') {
                    String line = new String(bytes, lineStart, i - lineStart, StandardCharsets.UTF_8);
                    if (line.endsWith("\r")) {
                        line = line.substring(0, line.length() - 1);
                    }
                    if (!line.isEmpty()) {
                        try {
                            rows.add(EpochCsv.parseRow(line, header.size()));
                        } catch (IllegalArgumentException e) {
                            skipped++;
                        }
                    }
                    lineStart = i + 1;
                }
            }
            long pos = from + lineStart;
            if (lineStart == 0 && n == cap) {
                // one line longer than the cap: skip to its end (if it has one yet) without holding it
                long end = nextNewline(ch, from + n, size);
                if (end >= 0) {
                    pos = end + 1;
                    skipped++;
                }
            }
            boolean more = n == cap && pos > from && pos < size;
            return new Chunk(header, rows, reset ? 0 : offset, pos, skipped, reset, size, id, more);
        }
    }

    /** The last complete data row of {@code file} (read from its last 64 KiB), if it has one that parses. */
    public static Optional<double[]> lastRow(Path file, int columns) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            long from = Math.max(0, size - HEADER_LIMIT);
            ByteBuffer buf = ByteBuffer.allocate((int) (size - from));
            readFully(ch, buf, from);
            String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n'); // the end of the last complete line
            // walk back over complete lines until one parses (a malformed last line falls back to the one before);
            // a line that starts at the window's start is the header (or cut by the window): no row
            while (end > 0) {
                int start = text.lastIndexOf('\n', end - 1);
                if (start < 0) {
                    break;
                }
                String line = text.substring(start + 1, end);
                try {
                    return Optional.of(EpochCsv.parseRow(line.endsWith("\r") ? line.substring(0, line.length() - 1)
                            : line, columns));
                } catch (IllegalArgumentException e) {
                    end = start;
                }
            }
            return Optional.empty();
        }
    }

    /** The header line, if the file has a complete one within its first 64 KiB. */
    public static Optional<List<String>> header(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return firstLine(ch, ch.size()).map(h -> List.of(h.split(",", -1)));
        }
    }

    /** Device and inode (the file key), so a replaced file is recognised; the path's creation time where there is none. */
    static String fileId(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        Object key = a.fileKey();
        String s = key != null ? key.toString() : a.creationTime().toString();
        return Integer.toHexString(s.hashCode()) + Long.toHexString(s.length());
    }

    private static Optional<String> firstLine(FileChannel ch, long size) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(size, HEADER_LIMIT));
        readFully(ch, buf, 0);
        byte[] b = buf.array();
        for (int i = 0; i < buf.position(); i++) {
            if (b[i] == '\n') {
                String line = new String(b, 0, i, StandardCharsets.UTF_8);
                return Optional.of(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
            }
        }
        return Optional.empty();
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long at) throws IOException {
        long pos = at;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) {
                break; // the file shrank under us: what was read is all there is
            }
            pos += r;
        }
    }

    /** Position of the first '\n' at or after {@code from}, or -1 (4 KiB at a time). */
    private static long nextNewline(FileChannel ch, long from, long size) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        for (long pos = from; pos < size; ) {
            buf.clear();
            int r = ch.read(buf, pos);
            if (r <= 0) {
                return -1;
            }
            byte[] b = buf.array();
            for (int i = 0; i < r; i++) {
                if (b[i] == '\n') {
                    return pos + i;
                }
            }
            pos += r;
        }
        return -1;
    }
}

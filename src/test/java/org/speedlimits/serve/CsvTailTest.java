package org.speedlimits.serve;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.speedlimits.io.EpochCsv;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The incremental reader against what a live run leaves on disk: a half-written last line, a malformed line, a file
 * truncated or replaced under the client's offset, and a file far larger than one reply; checked against
 * {@link EpochCsv#read} of the whole file (the reader the analysis uses).
 */
class CsvTailTest {
    static final String HEADER = "epoch,time,train_loss,test_acc";
    @TempDir
    Path tmp;

    static String row(int e) {
        return e + "," + (0.01 * e) + "," + (1.0 / (1 + e)) + "," + (e % 3 == 0 ? "0.1" : "");
    }

    Path file(String content) throws IOException {
        return Files.writeString(tmp.resolve("metrics.csv"), content);
    }

    void append(Path f, String s) throws IOException {
        Files.writeString(f, s, StandardOpenOption.APPEND);
    }

    @Test
    void readsCompleteRowsAndContinuesFromTheOffset() throws IOException {
        Path f = file(HEADER + "\n" + row(0) + "\n" + row(1) + "\n");
        CsvTail.Chunk a = CsvTail.read(f, 0, null, CsvTail.DEFAULT_MAX_BYTES);
        assertEquals(List.of("epoch", "time", "train_loss", "test_acc"), a.header());
        assertEquals(2, a.rows().size());
        assertEquals(Files.size(f), a.next());
        assertTrue(Double.isNaN(a.rows().get(1)[3]), "an empty cell is NaN (not measured)");
        assertEquals(0.5, a.rows().get(1)[2]);
        append(f, row(2) + "\n");
        CsvTail.Chunk b = CsvTail.read(f, a.next(), a.fileId(), CsvTail.DEFAULT_MAX_BYTES);
        assertFalse(b.reset());
        assertEquals(1, b.rows().size(), "only the new row");
        assertArrayEquals(EpochCsv.parseRow(row(2), 4), b.rows().get(0));
        assertEquals(Files.size(f), b.next());
        CsvTail.Chunk c = CsvTail.read(f, b.next(), b.fileId(), CsvTail.DEFAULT_MAX_BYTES);
        assertEquals(0, c.rows().size());
        assertEquals(b.next(), c.next(), "nothing new: the offset stays");
    }

    @Test
    void aHalfWrittenLastLineIsNotConsumed() throws IOException {
        String full = row(2);
        String half = full.substring(0, full.length() - 3); // "2,0.02,0.33333333333333" : parses, but is cut
        Path f = file(HEADER + "\n" + row(0) + "\n" + row(1) + "\n" + half);
        CsvTail.Chunk a = CsvTail.read(f, 0, null, CsvTail.DEFAULT_MAX_BYTES);
        assertEquals(2, a.rows().size());
        assertEquals(Files.size(f) - half.length(), a.next(), "the next offset is the start of the cut line");
        assertEquals(0, a.skipped());
        append(f, full.substring(half.length()) + "\n");
        CsvTail.Chunk b = CsvTail.read(f, a.next(), a.fileId(), CsvTail.DEFAULT_MAX_BYTES);
        assertEquals(1, b.rows().size());
        assertArrayEquals(EpochCsv.parseRow(full, 4), b.rows().get(0), "the row is read whole once complete");
        // negative control: had the cut line been consumed, its value would be the truncated number
        assertFalse(EpochCsv.parseRow(half + ",", 4)[2] == b.rows().get(0)[2]);
    }

    @Test
    void malformedLinesAreSkippedAndCounted() throws IOException {
        Path f = file(HEADER + "\n" + row(0) + "\n" + "1,0.01,not-a-number,0.1\n" + "2,0.02\n" + "\n"
                + "3,0.03,0.25,0.1,extra\n" + row(4) + "\n");
        CsvTail.Chunk a = CsvTail.read(f, 0, null, CsvTail.DEFAULT_MAX_BYTES);
        assertEquals(2, a.rows().size());
        assertEquals(3, a.skipped(), "bad number, too few cells, too many cells (the empty line is not counted)");
        assertEquals(0.0, a.rows().get(0)[0]);
        assertEquals(4.0, a.rows().get(1)[0]);
        assertEquals(Files.size(f), a.next());
    }

    @Test
    void anOffsetBeyondATruncatedFileStartsOver() throws IOException {
        Path f = file(HEADER + "\n" + row(0) + "\n" + row(1) + "\n" + row(2) + "\n");
        CsvTail.Chunk a = CsvTail.read(f, 0, null, CsvTail.DEFAULT_MAX_BYTES);
        Files.writeString(f, HEADER + "\n" + row(0) + "\n"); // same file, truncated (e.g. by hand)
        CsvTail.Chunk b = CsvTail.read(f, a.next(), a.fileId(), CsvTail.DEFAULT_MAX_BYTES);
        assertTrue(b.reset());
        assertEquals(1, b.rows().size());
        assertEquals(Files.size(f), b.next());
    }

    @Test
    void aReplacedFileStartsOverEvenWhenItIsLonger() throws IOException {
        // a resumed run: metrics.csv rewritten without the rows after the checkpoint (a new file renamed over the old
        // one), then appended past the old length; the client's offset now points into other rows
        Path f = file(HEADER + "\n" + row(0) + "\n" + row(1) + "\n");
        CsvTail.Chunk a = CsvTail.read(f, 0, null, CsvTail.DEFAULT_MAX_BYTES);
        Path fresh = tmp.resolve("metrics.csv.tmp");
        Files.writeString(fresh, HEADER + "\n" + row(0) + "\n" + row(10) + "\n" + row(11) + "\n" + row(12) + "\n");
        Files.move(fresh, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertTrue(Files.size(f) > a.next());
        CsvTail.Chunk b = CsvTail.read(f, a.next(), a.fileId(), CsvTail.DEFAULT_MAX_BYTES);
        assertTrue(b.reset(), "another file: start over");
        assertEquals(4, b.rows().size());
        // control: without the identity the reader cannot know, and continues at the offset
        CsvTail.Chunk c = CsvTail.read(f, a.next(), null, CsvTail.DEFAULT_MAX_BYTES);
        assertFalse(c.reset());
    }

    @Test
    void aLargeFileComesInBoundedChunksThatAddUpToTheWholeFile() throws IOException {
        StringBuilder s = new StringBuilder(HEADER).append('\n');
        for (int e = 0; e < 5000; e++) {
            s.append(row(e)).append('\n');
        }
        Path f = file(s.toString());
        int cap = 4096;
        List<double[]> rows = new ArrayList<>();
        long offset = 0;
        String id = null;
        int calls = 0;
        CsvTail.Chunk c;
        do {
            c = CsvTail.read(f, offset, id, cap);
            assertTrue(c.next() - Math.max(offset, HEADER.length() + 1) <= cap, "at most the cap per reply");
            assertTrue(c.next() > offset);
            rows.addAll(c.rows());
            offset = c.next();
            id = c.fileId();
            calls++;
        } while (c.more());
        assertEquals(Files.size(f), offset);
        assertTrue(calls >= Files.size(f) / cap, calls + " calls");
        List<double[]> whole = EpochCsv.read(f);
        assertEquals(whole.size(), rows.size());
        for (int i = 0; i < whole.size(); i++) {
            assertArrayEquals(whole.get(i), rows.get(i), "row " + i);
        }
    }

    @Test
    void aLineLongerThanTheCapIsSkippedNotStuckOn() throws IOException {
        Path f = file(HEADER + "\n" + row(0) + "\n" + "1," + "9".repeat(5000) + "\n" + row(2) + "\n");
        CsvTail.Chunk a = CsvTail.read(f, 0, null, CsvTail.MIN_MAX_BYTES);
        long offset = a.next();
        String id = a.fileId();
        List<double[]> rows = new ArrayList<>(a.rows());
        int skipped = a.skipped();
        for (int i = 0; i < 10 && offset < Files.size(f); i++) {
            CsvTail.Chunk c = CsvTail.read(f, offset, id, CsvTail.MIN_MAX_BYTES);
            rows.addAll(c.rows());
            skipped += c.skipped();
            offset = c.next();
        }
        assertEquals(Files.size(f), offset);
        assertEquals(List.of(0.0, 2.0), rows.stream().map(r -> r[0]).toList());
        assertEquals(1, skipped);
    }

    @Test
    void lastRowIgnoresAHalfWrittenOrMalformedTail() throws IOException {
        Path f = file(HEADER + "\n" + row(0) + "\n" + row(7) + "\n" + "8,0.0");
        assertEquals(7.0, CsvTail.lastRow(f, 4).orElseThrow()[0]);
        append(f, "8,x,y\n");
        assertEquals(7.0, CsvTail.lastRow(f, 4).orElseThrow()[0], "a malformed last line falls back");
        assertTrue(CsvTail.lastRow(file(HEADER + "\n"), 4).isEmpty(), "the header is no row");
        assertTrue(CsvTail.header(file("epoch,ti")).isEmpty(), "an incomplete header is none yet");
        CsvTail.Chunk none = CsvTail.read(file("epoch,ti"), 0, null, CsvTail.DEFAULT_MAX_BYTES);
        assertEquals(List.of(), none.header());
        assertEquals(0, none.next(), "read again from the start once the header is there");
        byte[] utf8 = (HEADER + "\n" + row(0) + "\n").getBytes(StandardCharsets.UTF_8);
        assertEquals(0.0, CsvTail.lastRow(Files.write(tmp.resolve("b.csv"), utf8), 4).orElseThrow()[0]);
    }
}

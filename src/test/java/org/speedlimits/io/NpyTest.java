package org.speedlimits.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpyTest {
    @Test
    void roundTripsFloatAndDouble(@TempDir Path dir) throws IOException {
        INDArray f = Nd4j.rand(DataType.FLOAT, 3, 5);
        Npy.write(dir.resolve("f.npy"), f);
        assertEquals(f, Npy.read(dir.resolve("f.npy")));
        INDArray d = Nd4j.rand(DataType.DOUBLE, 7);
        Npy.write(dir.resolve("d.npy"), d);
        assertEquals(d, Npy.read(dir.resolve("d.npy")));
        INDArray view = Nd4j.rand(DataType.DOUBLE, 4, 4).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3));
        Npy.write(dir.resolve("v.npy"), view);
        assertEquals(view, Npy.read(dir.resolve("v.npy")));
    }

    /** The layout NumPy documents: magic, version 1.0, little-endian header length, 64-byte aligned header, data. */
    @Test
    void bytesFollowTheNpyFormatSpecification(@TempDir Path dir) throws IOException {
        Npy.write(dir.resolve("a.npy"), Nd4j.createFromArray(1.5f, -2f));
        byte[] bytes = Files.readAllBytes(dir.resolve("a.npy"));
        assertEquals((byte) 0x93, bytes[0]);
        assertEquals("NUMPY", new String(bytes, 1, 5, StandardCharsets.ISO_8859_1));
        assertEquals(1, bytes[6]);
        int headerLength = ByteBuffer.wrap(bytes, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
        assertEquals(0, (10 + headerLength) % 64);
        String header = new String(bytes, 10, headerLength, StandardCharsets.ISO_8859_1);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"), header);
        assertTrue(header.endsWith("\n"));
        ByteBuffer data = ByteBuffer.wrap(bytes, 10 + headerLength, 8).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1.5f, data.getFloat());
        assertEquals(-2f, data.getFloat());
    }

    @Test
    void truncatedFileIsAnError(@TempDir Path dir) throws IOException {
        Npy.write(dir.resolve("a.npy"), Nd4j.rand(DataType.FLOAT, 10));
        byte[] bytes = Files.readAllBytes(dir.resolve("a.npy"));
        Files.write(dir.resolve("b.npy"), java.util.Arrays.copyOf(bytes, bytes.length - 3));
        IOException e = assertThrows(IOException.class, () -> Npy.read(dir.resolve("b.npy")));
        assertTrue(e.getMessage().contains("truncated"));
        assertArrayEquals(new long[]{10}, Npy.read(dir.resolve("a.npy")).shape());
    }
}

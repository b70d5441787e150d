package org.speedlimits.io;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} (format 1.0) files of little-endian float32 ({@code <f4}) or float64 ({@code <f8}) arrays in
 * C order, so Python users can {@code np.load} results. Writes are atomic: temp file, fsync, rename.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([<>|]?[fi]\\d)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** Writes {@code array} (FLOAT or DOUBLE; any shape, written in C order) to {@code file} atomically. */
    public static void write(Path file, INDArray array) throws IOException {
        DataType type = array.dataType();
        if (type != DataType.FLOAT && type != DataType.DOUBLE) {
            throw new IllegalArgumentException(".npy writer supports float32 and float64, not " + type);
        }
        long[] shape = array.shape();
        int itemSize = type == DataType.FLOAT ? 4 : 8;
        INDArray c = array.ordering() == 'c' && !array.isView() ? array : array.dup('c');
        ByteBuffer data = ByteBuffer.allocate(Math.toIntExact(c.length() * itemSize)).order(ByteOrder.LITTLE_ENDIAN);
        if (type == DataType.FLOAT) {
            data.asFloatBuffer().put(c.data().asFloat());
        } else {
            data.asDoubleBuffer().put(c.data().asDouble());
        }
        writeAtomically(file, header(type == DataType.FLOAT ? "<f4" : "<f8", shape), data.array());
    }

    /** Reads a float32 or float64 .npy file into an array of the same type and shape. */
    public static INDArray read(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(raw)) {
            byte[] magic = in.readNBytes(6);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException(file + " is not a .npy file");
            }
            int major = in.readUnsignedByte();
            in.readUnsignedByte();
            int headerLength = major == 1
                    ? Short.toUnsignedInt(Short.reverseBytes(in.readShort()))
                    : Integer.reverseBytes(in.readInt());
            String header = new String(in.readNBytes(headerLength), StandardCharsets.ISO_8859_1);
            String descr = find(DESCR, header, file);
            if (find(FORTRAN, header, file).equals("True")) {
                throw new IOException(file + ": Fortran-order arrays are not supported");
            }
            long[] shape = Arrays.stream(find(SHAPE, header, file).split(",")).map(String::trim)
                    .filter(s -> !s.isEmpty()).mapToLong(Long::parseLong).toArray();
            long count = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            boolean isFloat = descr.endsWith("f4");
            if (!isFloat && !descr.endsWith("f8") || descr.startsWith(">")) {
                throw new IOException(file + ": unsupported dtype " + descr + " (expected <f4 or <f8)");
            }
            byte[] bytes = in.readNBytes(Math.toIntExact(count * (isFloat ? 4 : 8)));
            if (bytes.length != count * (isFloat ? 4 : 8)) {
                throw new IOException(file + " is truncated: expected " + count + " values");
            }
            ByteBuffer data = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            if (isFloat) {
                float[] values = new float[(int) count];
                data.asFloatBuffer().get(values);
                return Nd4j.create(values, shape, 'c');
            }
            double[] values = new double[(int) count];
            data.asDoubleBuffer().get(values);
            return Nd4j.create(values, shape, 'c');
        }
    }

    static byte[] header(String descr, long[] shape) {
        String dims = shape.length == 1 ? shape[0] + "," : String.join(", ", Arrays.stream(shape).mapToObj(Long::toString).toList());
        StringBuilder h = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }");
        int total = MAGIC.length + 2 + 2 + h.length() + 1;
        h.append(" ".repeat((64 - total % 64) % 64)).append('\n');
        byte[] text = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 4 + text.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length).put(text);
        return out.array();
    }

    private static String find(Pattern p, String header, Path file) throws IOException {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new IOException(file + ": malformed .npy header " + header.trim());
        }
        return m.group(1);
    }

    /** Writes parts to a temp file in the same folder, fsyncs it and renames it over {@code target}. */
    public static void writeAtomically(Path target, byte[]... parts) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING); OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
            for (byte[] part : parts) {
                out.write(part);
            }
            out.flush();
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}

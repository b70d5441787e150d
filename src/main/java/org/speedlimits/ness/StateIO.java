package org.speedlimits.ness;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** Length-prefixed raw arrays for checkpoints; reading checks the length the reader expects. */
final class StateIO {
    private StateIO() {
    }

    static void writeDoubles(DataOutput out, double[] x) throws IOException {
        out.writeInt(x.length);
        for (double v : x) out.writeLong(Double.doubleToRawLongBits(v));
    }

    /** Reads into {@code into}, whose length must match the stored one. */
    static void readDoubles(DataInput in, double[] into, String what) throws IOException {
        int n = in.readInt();
        if (n != into.length) throw new IOException(what + ": stored " + n + " values, expected " + into.length);
        for (int i = 0; i < n; i++) into[i] = Double.longBitsToDouble(in.readLong());
    }

    static void writeLongs(DataOutput out, long[] x) throws IOException {
        out.writeInt(x.length);
        for (long v : x) out.writeLong(v);
    }

    static void readLongs(DataInput in, long[] into, String what) throws IOException {
        int n = in.readInt();
        if (n != into.length) throw new IOException(what + ": stored " + n + " values, expected " + into.length);
        for (int i = 0; i < n; i++) into[i] = in.readLong();
    }

    static void writeInts(DataOutput out, int[] x) throws IOException {
        out.writeInt(x.length);
        for (int v : x) out.writeInt(v);
    }

    static int[] readInts(DataInput in, int max, String what) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > max) throw new IOException(what + ": stored length " + n + " out of range 0.." + max);
        int[] x = new int[n];
        for (int i = 0; i < n; i++) x[i] = in.readInt();
        return x;
    }

    /** A settings line that must match on reading (observer and sampler identity). */
    static void expect(DataInput in, String expected, String what) throws IOException {
        String got = in.readUTF();
        if (!got.equals(expected)) throw new IOException(what + " in the checkpoint is '" + got + "', this run has '" + expected + "'");
    }
}

package org.speedlimits.ness;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Streaming mean and covariance of the observed θ (Sec. 4.3, the Σ of Eqs. 21/23 compared in Fig. 3), either about
 * a given centre c, Σ = ⟨(θ−c)(θ−c)ᵀ⟩ (e.g. θ₀), or about the sample mean, Σ = ⟨θθᵀ⟩ − ⟨θ⟩⟨θ⟩ᵀ; both 1/n
 * normalised. Standard errors by batch means ({@link BatchMeans}) over consecutive batches of {@code batchLength}
 * samples, for every mean and covariance entry and for the variances uᵀΣu along given directions u (e.g. H₀'s
 * eigenvectors). A batch's covariance is taken about the centre, or about that batch's own mean (its O(τ/L) bias
 * is negligible for batches much longer than the correlation time τ); the estimates use all samples, the SEs the
 * complete batches.
 *
 * <p>Sums are of θ − s with s the centre or the first sample, so stationary fluctuations ≪ |θ| lose no digits.
 * Cost per sample N(N+1)/2 multiply-adds.
 */
public final class Moments implements Observer {
    private final int n;
    private final int batchLength;
    private final boolean aboutCentre;
    private final double[][] directions;
    private final double[] shift;
    private boolean shifted;
    private final double[] d;
    private final double[] b1, b2, s1, s2;
    private int inBatch;
    private long count;
    private final BatchMeans batches;
    private final double[] estimate;

    private Moments(int n, double[] centre, int batchLength, double[][] directions) {
        if (batchLength < 1) throw new IllegalArgumentException("batch length " + batchLength + " < 1");
        for (double[] u : directions) {
            if (u.length != n) throw new IllegalArgumentException("direction of length " + u.length + ", N = " + n);
        }
        this.n = n;
        this.batchLength = batchLength;
        this.aboutCentre = centre != null;
        this.directions = new double[directions.length][];
        for (int j = 0; j < directions.length; j++) this.directions[j] = directions[j].clone();
        this.shift = centre == null ? new double[n] : centre.clone();
        this.shifted = aboutCentre;
        this.d = new double[n];
        this.b1 = new double[n];
        this.b2 = new double[n * n];
        this.s1 = new double[n];
        this.s2 = new double[n * n];
        int stats = n + n * (n + 1) / 2 + directions.length;
        this.batches = new BatchMeans(stats);
        this.estimate = new double[stats];
    }

    /** Moments about a fixed centre c (e.g. θ₀): Σ = ⟨(θ−c)(θ−c)ᵀ⟩. */
    public static Moments aboutCentre(double[] centre, int batchLength, double[]... directions) {
        return new Moments(centre.length, centre, batchLength, directions);
    }

    /** Moments about the sample mean. */
    public static Moments aboutMean(int parameters, int batchLength, double[]... directions) {
        return new Moments(parameters, null, batchLength, directions);
    }

    @Override public void observe(long unit, double[] theta) {
        add(theta);
    }

    /** Adds one sample. */
    public void add(double[] x) {
        if (!shifted) {
            System.arraycopy(x, 0, shift, 0, n);
            shifted = true;
        }
        for (int a = 0; a < n; a++) {
            d[a] = x[a] - shift[a];
            b1[a] += d[a];
        }
        for (int a = 0; a < n; a++) {
            double da = d[a];
            int row = a * n;
            for (int b = a; b < n; b++) b2[row + b] += da * d[b];
        }
        count++;
        if (++inBatch == batchLength) closeBatch();
    }

    private void closeBatch() {
        double inv = 1.0 / inBatch;
        for (int a = 0; a < n; a++) estimate[a] = shift[a] + b1[a] * inv;
        int p = n;
        for (int a = 0; a < n; a++) {
            for (int b = a; b < n; b++) {
                double c = b2[a * n + b] * inv;
                if (!aboutCentre) c -= b1[a] * inv * (b1[b] * inv);
                estimate[p++] = c;
            }
        }
        for (double[] u : directions) estimate[p++] = quadratic(u, estimate, n);
        batches.add(estimate);
        for (int a = 0; a < n; a++) {
            s1[a] += b1[a];
            b1[a] = 0;
        }
        for (int k = 0; k < b2.length; k++) {
            s2[k] += b2[k];
            b2[k] = 0;
        }
        inBatch = 0;
    }

    /** uᵀCu with C's upper triangle packed row by row from offset {@code off}. */
    private double quadratic(double[] u, double[] packed, int off) {
        double q = 0;
        int p = off;
        for (int a = 0; a < n; a++) {
            q += u[a] * u[a] * packed[p++];
            for (int b = a + 1; b < n; b++) q += 2 * u[a] * u[b] * packed[p++];
        }
        return q;
    }

    /** Samples added. */
    public long count() {
        return count;
    }

    /** Complete batches (the B of the standard errors). */
    public long batches() {
        return batches.batches();
    }

    /** The sample mean of θ. */
    public double[] mean() {
        double[] m = new double[n];
        for (int a = 0; a < n; a++) m[a] = shift[a] + (s1[a] + b1[a]) / count;
        return m;
    }

    /** SE of each mean entry. */
    public double[] meanSE() {
        double[] se = new double[n];
        for (int a = 0; a < n; a++) se[a] = batches.standardError(a);
        return se;
    }

    /** Σ, N×N row-major, symmetric. */
    public double[] covariance() {
        double[] c = new double[n * n];
        double inv = 1.0 / count;
        for (int a = 0; a < n; a++) {
            for (int b = a; b < n; b++) {
                double v = (s2[a * n + b] + b2[a * n + b]) * inv;
                if (!aboutCentre) v -= (s1[a] + b1[a]) * inv * ((s1[b] + b1[b]) * inv);
                c[a * n + b] = v;
                c[b * n + a] = v;
            }
        }
        return c;
    }

    /** SE of each Σ entry, N×N row-major. */
    public double[] covarianceSE() {
        double[] se = new double[n * n];
        int p = n;
        for (int a = 0; a < n; a++) {
            for (int b = a; b < n; b++) {
                double s = batches.standardError(p++);
                se[a * n + b] = s;
                se[b * n + a] = s;
            }
        }
        return se;
    }

    /** uⱼᵀΣuⱼ for the directions given at construction. */
    public double[] directionVariances() {
        double[] c = covariance();
        double[] v = new double[directions.length];
        for (int j = 0; j < directions.length; j++) {
            double[] u = directions[j];
            double q = 0;
            for (int a = 0; a < n; a++) {
                double row = 0;
                for (int b = 0; b < n; b++) row += c[a * n + b] * u[b];
                q += u[a] * row;
            }
            v[j] = q;
        }
        return v;
    }

    /** SE of each direction variance. */
    public double[] directionVariancesSE() {
        double[] se = new double[directions.length];
        int off = n + n * (n + 1) / 2;
        for (int j = 0; j < directions.length; j++) se[j] = batches.standardError(off + j);
        return se;
    }

    @Override public void writeState(DataOutput out) throws IOException {
        out.writeInt(n);
        out.writeInt(batchLength);
        out.writeBoolean(aboutCentre);
        out.writeInt(directions.length);
        out.writeBoolean(shifted);
        StateIO.writeDoubles(out, shift);
        StateIO.writeDoubles(out, b1);
        StateIO.writeDoubles(out, b2);
        StateIO.writeDoubles(out, s1);
        StateIO.writeDoubles(out, s2);
        out.writeInt(inBatch);
        out.writeLong(count);
        batches.writeState(out);
    }

    @Override public void readState(DataInput in) throws IOException {
        int nn = in.readInt(), bl = in.readInt();
        boolean ac = in.readBoolean();
        int dirs = in.readInt();
        if (nn != n || bl != batchLength || ac != aboutCentre || dirs != directions.length) {
            throw new IOException("Moments settings differ: checkpoint N=" + nn + " batch=" + bl + " centre=" + ac
                    + " directions=" + dirs);
        }
        double[] storedShift = new double[n];
        shifted = in.readBoolean();
        StateIO.readDoubles(in, storedShift, "moments shift");
        if (aboutCentre && !java.util.Arrays.equals(storedShift, shift)) throw new IOException("Moments centre differs from the checkpoint's");
        System.arraycopy(storedShift, 0, shift, 0, n);
        StateIO.readDoubles(in, b1, "moments batch sums");
        StateIO.readDoubles(in, b2, "moments batch products");
        StateIO.readDoubles(in, s1, "moments sums");
        StateIO.readDoubles(in, s2, "moments products");
        inBatch = in.readInt();
        count = in.readLong();
        batches.readState(in);
    }
}

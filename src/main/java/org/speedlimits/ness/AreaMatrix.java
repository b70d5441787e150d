package org.speedlimits.ness;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The stochastic area matrix of Eq. (26) accumulated over the observed sequence θ₀, θ₁, …:
 * A_{αγ} = ½ Σ_k [δθ_{k,α}(θ_{k+1,γ} − θ_{k,γ}) − δθ_{k,γ}(θ_{k+1,α} − θ_{k,α})], δθ_k = θ_k − c, and the mean area
 * per step ⟨A⟩/ℓ, which estimates the circulation matrix C (Eq. 28). The centre c is a given point (θ₀ of the
 * theory), or the sample mean of the θ_k, as the authors' notebook measures it; the two differ by
 * ½[(c−c')_α Δ_γ − (c−c')_γ Δ_α] with Δ the net displacement, so the areas are kept about one reference point
 * s and re-centred exactly when read ({@link #perStepAbout}). Batch-means SEs over batches of
 * {@code batchLength} steps (each batch about the centre, or its own mean). Cost per step N(N−1) multiply-adds.
 */
public final class AreaMatrix implements Observer {
    private final int n;
    private final int batchLength;
    private final boolean aboutCentre;
    private final double[] shift;
    private final double[] prev;
    private boolean started;
    private final double[] bArea, bSum, bDisp; // batch: areas about s (packed α<γ), Σ(θ_k − s), Σ Δ_k
    private final double[] area, sum, disp;    // completed batches
    private int inBatch;
    private long steps;
    private final BatchMeans batches;
    private final double[] estimate;
    private final double[] delta;          // θ_{k+1} − θ_k
    private final double[] offsetFromShift; // θ_k − s
    private final double[] centreScratch;

    private AreaMatrix(int n, double[] centre, int batchLength) {
        if (batchLength < 1) throw new IllegalArgumentException("batch length " + batchLength + " < 1");
        this.n = n;
        this.batchLength = batchLength;
        this.aboutCentre = centre != null;
        this.shift = centre == null ? new double[n] : centre.clone();
        int pairs = n * (n - 1) / 2;
        this.prev = new double[n];
        this.bArea = new double[pairs];
        this.bSum = new double[n];
        this.bDisp = new double[n];
        this.area = new double[pairs];
        this.sum = new double[n];
        this.disp = new double[n];
        this.batches = new BatchMeans(pairs);
        this.estimate = new double[pairs];
        this.delta = new double[n];
        this.offsetFromShift = new double[n];
        this.centreScratch = new double[n];
    }

    /** Areas about a fixed centre (θ₀). */
    public static AreaMatrix aboutCentre(double[] centre, int batchLength) {
        return new AreaMatrix(centre.length, centre, batchLength);
    }

    /** Areas about the sample mean of the visited points (the authors' notebook). */
    public static AreaMatrix aboutMean(int parameters, int batchLength) {
        return new AreaMatrix(parameters, null, batchLength);
    }

    @Override public void observe(long unit, double[] theta) {
        add(theta);
    }

    /** Adds the next point of the sequence (the first one only starts it). */
    public void add(double[] x) {
        if (!started) {
            System.arraycopy(x, 0, prev, 0, n);
            if (!aboutCentre) System.arraycopy(x, 0, shift, 0, n);
            started = true;
            return;
        }
        for (int a = 0; a < n; a++) {
            offsetFromShift[a] = prev[a] - shift[a];
            delta[a] = x[a] - prev[a];
            bSum[a] += offsetFromShift[a];
            bDisp[a] += delta[a];
        }
        int p = 0;
        for (int a = 0; a < n; a++) {
            double da = offsetFromShift[a], ea = delta[a];
            for (int g = a + 1; g < n; g++) bArea[p++] += 0.5 * (da * delta[g] - offsetFromShift[g] * ea);
        }
        System.arraycopy(x, 0, prev, 0, n);
        steps++;
        if (++inBatch == batchLength) closeBatch();
    }

    private void closeBatch() {
        double inv = 1.0 / inBatch;
        for (int a = 0; a < n; a++) centreScratch[a] = aboutCentre ? 0 : bSum[a] * inv; // c − s
        recentre(bArea, bDisp, centreScratch, estimate);
        for (int p = 0; p < estimate.length; p++) estimate[p] *= inv;
        batches.add(estimate);
        for (int p = 0; p < area.length; p++) {
            area[p] += bArea[p];
            bArea[p] = 0;
        }
        for (int a = 0; a < n; a++) {
            sum[a] += bSum[a];
            disp[a] += bDisp[a];
            bSum[a] = 0;
            bDisp[a] = 0;
        }
        inBatch = 0;
    }

    /** out = the areas about the point c = s + offset: A(c) = A(s) − ½[(c−s)_α D_γ − (c−s)_γ D_α]. */
    private void recentre(double[] areaAboutShift, double[] displacement, double[] offset, double[] out) {
        int p = 0;
        for (int a = 0; a < n; a++) {
            for (int g = a + 1; g < n; g++) {
                out[p] = areaAboutShift[p] - 0.5 * (offset[a] * displacement[g] - offset[g] * displacement[a]);
                p++;
            }
        }
    }

    /** Increments θ_k → θ_{k+1} seen (the ℓ of ⟨A⟩/ℓ). */
    public long steps() {
        return steps;
    }

    public long batches() {
        return batches.batches();
    }

    /** ⟨A⟩/ℓ about this estimator's centre (given, or the sample mean of θ_0..θ_{ℓ−1}): N×N, antisymmetric. */
    public double[] perStep() {
        double[] offset = new double[n];
        if (!aboutCentre) for (int a = 0; a < n; a++) offset[a] = (sum[a] + bSum[a]) / steps;
        return perStepWithOffset(offset);
    }

    /** ⟨A⟩/ℓ about an arbitrary centre c. */
    public double[] perStepAbout(double[] centre) {
        double[] offset = new double[n];
        for (int a = 0; a < n; a++) offset[a] = centre[a] - shift[a];
        return perStepWithOffset(offset);
    }

    private double[] perStepWithOffset(double[] offset) {
        double[] tot = new double[area.length], dsp = new double[n];
        for (int p = 0; p < tot.length; p++) tot[p] = area[p] + bArea[p];
        for (int a = 0; a < n; a++) dsp[a] = disp[a] + bDisp[a];
        double[] packed = new double[area.length];
        recentre(tot, dsp, offset, packed);
        return unpack(packed, 1.0 / steps);
    }

    /** SE of each entry of {@link #perStep()} (batch means), N×N antisymmetric in sign-free form (symmetric). */
    public double[] perStepSE() {
        double[] se = new double[area.length];
        for (int p = 0; p < se.length; p++) se[p] = batches.standardError(p);
        double[] full = new double[n * n];
        int p = 0;
        for (int a = 0; a < n; a++) {
            for (int g = a + 1; g < n; g++) {
                full[a * n + g] = se[p];
                full[g * n + a] = se[p];
                p++;
            }
        }
        return full;
    }

    private double[] unpack(double[] packed, double scale) {
        double[] full = new double[n * n];
        int p = 0;
        for (int a = 0; a < n; a++) {
            for (int g = a + 1; g < n; g++) {
                full[a * n + g] = packed[p] * scale;
                full[g * n + a] = -packed[p] * scale;
                p++;
            }
        }
        return full;
    }

    @Override public void writeState(DataOutput out) throws IOException {
        out.writeInt(n);
        out.writeInt(batchLength);
        out.writeBoolean(aboutCentre);
        out.writeBoolean(started);
        StateIO.writeDoubles(out, shift);
        StateIO.writeDoubles(out, prev);
        StateIO.writeDoubles(out, bArea);
        StateIO.writeDoubles(out, bSum);
        StateIO.writeDoubles(out, bDisp);
        StateIO.writeDoubles(out, area);
        StateIO.writeDoubles(out, sum);
        StateIO.writeDoubles(out, disp);
        out.writeInt(inBatch);
        out.writeLong(steps);
        batches.writeState(out);
    }

    @Override public void readState(DataInput in) throws IOException {
        int nn = in.readInt(), bl = in.readInt();
        boolean ac = in.readBoolean();
        if (nn != n || bl != batchLength || ac != aboutCentre) {
            throw new IOException("AreaMatrix settings differ: checkpoint N=" + nn + " batch=" + bl + " centre=" + ac);
        }
        started = in.readBoolean();
        double[] storedShift = new double[n];
        StateIO.readDoubles(in, storedShift, "area reference point");
        if (aboutCentre && !java.util.Arrays.equals(storedShift, shift)) throw new IOException("AreaMatrix centre differs from the checkpoint's");
        System.arraycopy(storedShift, 0, shift, 0, n);
        StateIO.readDoubles(in, prev, "area previous point");
        StateIO.readDoubles(in, bArea, "area batch");
        StateIO.readDoubles(in, bSum, "area batch sums");
        StateIO.readDoubles(in, bDisp, "area batch displacement");
        StateIO.readDoubles(in, area, "areas");
        StateIO.readDoubles(in, sum, "area sums");
        StateIO.readDoubles(in, disp, "area displacement");
        inBatch = in.readInt();
        steps = in.readLong();
        batches.readState(in);
    }
}

package org.speedlimits.ness;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * Entropy production of sub-trajectories (Eq. 27): σ(Ω) = Σ_{k} v(θ_k)·D⁻¹(θ_{k+1} − θ_k) over ℓ consecutive
 * increments of the observed sequence, with the linearised stationary velocity v(θ) = K(θ − c), K = −CΣ⁻¹
 * (Eq. 24). K, D⁻¹ and the centre c are inputs (from the theory, or from measured C and Σ); each increment costs
 * one N×N product with G = KᵀD⁻¹, precomputed, since v·D⁻¹Δ = (θ−c)ᵀKᵀD⁻¹Δ.
 *
 * <p>For each window length ℓ of a given list, the sequence is cut into non-overlapping windows of ℓ increments,
 * optionally separated by {@code gap} skipped increments to reduce the correlation between windows. Per ℓ it
 * gathers ⟨σ⟩ and ⟨e^{−σ}⟩ (the IFT, Eq. 8, predicts 1) with batch-means SEs over batches of
 * {@code windowsPerBatch} windows, and histograms of σ (symmetric bins on [−R, R)) and of e^{−σ} (on [0, E)),
 * from which {@link #dft} fits the DFT (Eq. 9): ln[P(σ)/P(−σ)] = σ, slope 1.
 */
public final class EntropyProduction implements Observer {
    private final int n;
    private final double[] g;
    private final double[] centre;
    private final int[] windows;
    private final int gap;
    private final int windowsPerBatch;
    private final double[] prev;
    private boolean started;
    private final double[] gDelta;
    // per window length
    private final int[] phase;
    private final double[] acc;
    private final long[] count;
    private final double[] sumSigma, sumExp;
    private final int[] inBatch;
    private final double[] batchSigma, batchExp;
    private final BatchMeans[] batches;
    private final Histogram[] sigmaHist, expHist;
    private final double[] pair = new double[2];

    /**
     * @param k               K = −CΣ⁻¹, N×N row-major (v(θ) = K(θ − c))
     * @param dInverse        D⁻¹, N×N row-major
     * @param centre          c (θ₀)
     * @param windows         window lengths ℓ (increments), each ≥ 1
     * @param gap             increments skipped after each window (≥ 0)
     * @param windowsPerBatch windows per batch for the SEs
     * @param sigmaRange      R: the σ histogram covers [−R, R)
     * @param sigmaBins       its bins, even so that bins pair up as ±σ
     * @param expRange        E: the e^{−σ} histogram covers [0, E)
     * @param expBins         its bins
     */
    public EntropyProduction(double[] k, double[] dInverse, double[] centre, int[] windows, int gap,
                             int windowsPerBatch, double sigmaRange, int sigmaBins, double expRange, int expBins) {
        this.n = centre.length;
        if (k.length != n * n || dInverse.length != n * n) throw new IllegalArgumentException("K and D⁻¹ must be N×N, N = " + n);
        if (windows.length == 0) throw new IllegalArgumentException("no window lengths");
        for (int l : windows) if (l < 1) throw new IllegalArgumentException("window length " + l + " < 1");
        if (gap < 0 || windowsPerBatch < 1) throw new IllegalArgumentException("gap " + gap + " < 0 or windows per batch " + windowsPerBatch + " < 1");
        if (sigmaBins % 2 != 0) throw new IllegalArgumentException("sigma bins " + sigmaBins + " must be even (bins pair as ±σ)");
        this.g = new double[n * n];
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                double s = 0;
                for (int c = 0; c < n; c++) s += k[c * n + a] * dInverse[c * n + b];
                g[a * n + b] = s;
            }
        }
        this.centre = centre.clone();
        this.windows = windows.clone();
        this.gap = gap;
        this.windowsPerBatch = windowsPerBatch;
        this.prev = new double[n];
        this.gDelta = new double[n];
        int w = windows.length;
        this.phase = new int[w];
        this.acc = new double[w];
        this.count = new long[w];
        this.sumSigma = new double[w];
        this.sumExp = new double[w];
        this.inBatch = new int[w];
        this.batchSigma = new double[w];
        this.batchExp = new double[w];
        this.batches = new BatchMeans[w];
        this.sigmaHist = new Histogram[w];
        this.expHist = new Histogram[w];
        for (int i = 0; i < w; i++) {
            batches[i] = new BatchMeans(2);
            sigmaHist[i] = new Histogram(-sigmaRange, sigmaRange, sigmaBins);
            expHist[i] = new Histogram(0, expRange, expBins);
        }
    }

    @Override public void observe(long unit, double[] theta) {
        add(theta);
    }

    /** Adds the next point of the sequence (the first one only starts it). */
    public void add(double[] x) {
        if (!started) {
            System.arraycopy(x, 0, prev, 0, n);
            started = true;
            return;
        }
        double s = 0;
        for (int a = 0; a < n; a++) {
            double r = 0;
            int row = a * n;
            for (int b = 0; b < n; b++) r += g[row + b] * (x[b] - prev[b]);
            s += (prev[a] - centre[a]) * r;
        }
        System.arraycopy(x, 0, prev, 0, n);
        for (int w = 0; w < windows.length; w++) {
            int l = windows[w];
            if (phase[w] < l) {
                acc[w] += s;
                if (++phase[w] == l) {
                    record(w, acc[w]);
                    acc[w] = 0;
                    if (gap == 0) phase[w] = 0;
                }
            } else if (++phase[w] == l + gap) {
                phase[w] = 0;
            }
        }
    }

    private void record(int w, double sigma) {
        double e = Math.exp(-sigma);
        count[w]++;
        sumSigma[w] += sigma;
        sumExp[w] += e;
        batchSigma[w] += sigma;
        batchExp[w] += e;
        sigmaHist[w].add(sigma);
        expHist[w].add(e);
        if (++inBatch[w] == windowsPerBatch) {
            pair[0] = batchSigma[w] / windowsPerBatch;
            pair[1] = batchExp[w] / windowsPerBatch;
            batches[w].add(pair);
            batchSigma[w] = 0;
            batchExp[w] = 0;
            inBatch[w] = 0;
        }
    }

    /** The window lengths, in the order given. */
    public int[] windows() {
        return windows.clone();
    }

    /** ⟨σ⟩, ⟨e^{−σ}⟩ and their SEs for window list entry w. */
    public Summary summary(int w) {
        BatchMeans b = batches[w];
        return new Summary(windows[w], count[w], sumSigma[w] / count[w], b.standardError(0), sumExp[w] / count[w],
                b.standardError(1), b.batches());
    }

    public Histogram sigmaHistogram(int w) {
        return sigmaHist[w];
    }

    public Histogram expHistogram(int w) {
        return expHist[w];
    }

    /**
     * The DFT check for window list entry w: over the bin pairs (σ_i, −σ_i), σ_i > 0 the bin centres, whose counts
     * n⁺, n⁻ are both ≥ {@code minCount}, y_i = ln(n⁺/n⁻) with Poisson variance 1/n⁺ + 1/n⁻; the weighted
     * least-squares slope through the origin, b = Σwσy/Σwσ², its SE 1/√(Σwσ²), and χ²/dof of the fit. Eq. (9)
     * predicts b = 1. Windows are not independent, so counts scatter more than Poisson; {@link Dft#slopeSE()}
     * scales the SE by √max(1, χ²/dof).
     */
    public Dft dft(int w, long minCount) {
        return dft(sigmaHist[w], minCount);
    }

    /** {@link #dft(int, long)} for any σ histogram symmetric about 0 with an even bin count (e.g. pooled over chains). */
    public static Dft dft(Histogram h, long minCount) {
        int bins = h.bins();
        double swxx = 0, swxy = 0;
        int points = 0;
        double[] xs = new double[bins / 2], ys = new double[bins / 2], ws = new double[bins / 2];
        for (int i = bins / 2; i < bins; i++) {
            long plus = h.count(i), minus = h.count(bins - 1 - i);
            if (plus < minCount || minus < minCount) continue;
            double x = h.centre(i), y = Math.log((double) plus / minus), wt = 1 / (1.0 / plus + 1.0 / minus);
            xs[points] = x;
            ys[points] = y;
            ws[points] = wt;
            points++;
            swxx += wt * x * x;
            swxy += wt * x * y;
        }
        if (points == 0) return new Dft(Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0);
        double slope = swxy / swxx, se = 1 / Math.sqrt(swxx);
        double chi2 = 0;
        for (int i = 0; i < points; i++) chi2 += ws[i] * (ys[i] - slope * xs[i]) * (ys[i] - slope * xs[i]);
        double perDof = points > 1 ? chi2 / (points - 1) : Double.NaN;
        double inflated = points > 1 ? se * Math.sqrt(Math.max(1, perDof)) : se;
        return new Dft(slope, inflated, se, perDof, points);
    }

    /** σ statistics of one window length ℓ: its window count, ⟨σ⟩ ± SE, ⟨e^{−σ}⟩ ± SE (IFT: 1), batches. */
    public record Summary(int length, long windows, double meanSigma, double meanSigmaSE, double meanExp,
                          double meanExpSE, long batches) {
    }

    /** DFT fit: slope (Eq. 9: 1), its SE (Poisson, scaled by √max(1, χ²/dof)), the Poisson SE, χ²/dof, bin pairs. */
    public record Dft(double slope, double slopeSE, double poissonSE, double chi2PerDof, int points) {
    }

    @Override public void writeState(DataOutput out) throws IOException {
        out.writeInt(n);
        StateIO.writeInts(out, windows);
        out.writeInt(gap);
        out.writeInt(windowsPerBatch);
        StateIO.writeDoubles(out, g);
        StateIO.writeDoubles(out, centre);
        out.writeBoolean(started);
        StateIO.writeDoubles(out, prev);
        StateIO.writeInts(out, phase);
        StateIO.writeDoubles(out, acc);
        StateIO.writeLongs(out, count);
        StateIO.writeDoubles(out, sumSigma);
        StateIO.writeDoubles(out, sumExp);
        StateIO.writeInts(out, inBatch);
        StateIO.writeDoubles(out, batchSigma);
        StateIO.writeDoubles(out, batchExp);
        for (int w = 0; w < windows.length; w++) {
            batches[w].writeState(out);
            sigmaHist[w].writeState(out);
            expHist[w].writeState(out);
        }
    }

    @Override public void readState(DataInput in) throws IOException {
        int nn = in.readInt();
        int[] ws = StateIO.readInts(in, 1 << 20, "window lengths");
        int gp = in.readInt(), wpb = in.readInt();
        if (nn != n || !Arrays.equals(ws, windows) || gp != gap || wpb != windowsPerBatch) {
            throw new IOException("EntropyProduction settings differ: checkpoint N=" + nn + " windows=" + Arrays.toString(ws)
                    + " gap=" + gp + " windows/batch=" + wpb);
        }
        double[] gg = new double[g.length], cc = new double[n];
        StateIO.readDoubles(in, gg, "G = KᵀD⁻¹");
        StateIO.readDoubles(in, cc, "entropy centre");
        if (!Arrays.equals(gg, g) || !Arrays.equals(cc, centre)) throw new IOException("EntropyProduction K, D⁻¹ or centre differ from the checkpoint's");
        started = in.readBoolean();
        StateIO.readDoubles(in, prev, "entropy previous point");
        int[] ph = StateIO.readInts(in, windows.length, "window phases");
        if (ph.length != windows.length) throw new IOException("window phases: " + ph.length + " stored");
        System.arraycopy(ph, 0, phase, 0, ph.length);
        StateIO.readDoubles(in, acc, "window sums");
        StateIO.readLongs(in, count, "window counts");
        StateIO.readDoubles(in, sumSigma, "sigma sums");
        StateIO.readDoubles(in, sumExp, "exp sums");
        int[] ib = StateIO.readInts(in, windows.length, "in-batch counts");
        if (ib.length != windows.length) throw new IOException("in-batch counts: " + ib.length + " stored");
        System.arraycopy(ib, 0, inBatch, 0, ib.length);
        StateIO.readDoubles(in, batchSigma, "batch sigma sums");
        StateIO.readDoubles(in, batchExp, "batch exp sums");
        for (int w = 0; w < windows.length; w++) {
            batches[w].readState(in);
            sigmaHist[w].readState(in);
            expHist[w].readState(in);
        }
    }
}

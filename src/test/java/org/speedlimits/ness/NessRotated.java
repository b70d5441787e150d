package org.speedlimits.ness;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Feeds an inner observer the coordinates y = Oᵀ(θ − c) of θ in an orthonormal basis O (columns; e.g. H₀'s
 * eigenvectors) about a point c. Moments and areas are bilinear, so the inner {@link Moments} or {@link AreaMatrix}
 * then measures OᵀΣO or Oᵀ⟨A⟩O directly, with batch-means SEs per entry in that basis — where, for dynamics whose
 * modes are (nearly) independent, the entries are (nearly) uncorrelated and a diagonal χ² over them is χ²-distributed.
 */
final class NessRotated implements Observer {
    private final double[][] basis;
    private final double[] centre;
    private final double[] y;
    final Observer inner;

    NessRotated(double[][] basis, double[] centre, Observer inner) {
        this.basis = basis;
        this.centre = centre.clone();
        this.y = new double[centre.length];
        this.inner = inner;
    }

    @Override public void observe(long unit, double[] theta) {
        int n = y.length;
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int i = 0; i < n; i++) s += basis[i][j] * (theta[i] - centre[i]);
            y[j] = s;
        }
        inner.observe(unit, y);
    }

    @Override public void writeState(DataOutput out) throws IOException {
        inner.writeState(out);
    }

    @Override public void readState(DataInput in) throws IOException {
        inner.readState(in);
    }

    /** OᵀAO for a flat N×N A. */
    static double[] toBasis(double[][] o, double[] a) {
        int n = o.length;
        double[] t = new double[n * n], out = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int q = 0; q < n; q++) {
                double s = 0;
                for (int k = 0; k < n; k++) s += a[i * n + k] * o[k][q];
                t[i * n + q] = s;
            }
        for (int p = 0; p < n; p++)
            for (int q = 0; q < n; q++) {
                double s = 0;
                for (int i = 0; i < n; i++) s += o[i][p] * t[i * n + q];
                out[p * n + q] = s;
            }
        return out;
    }
}

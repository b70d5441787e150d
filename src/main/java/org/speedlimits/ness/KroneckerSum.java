package org.speedlimits.ness;

/**
 * The N×N matrix S = Σ_i A_i ⊗ w_i w_iᵀ (N = K·d) for symmetric K×K matrices A_i and vectors w_i ∈ ℝ^d, accumulated
 * in packed form: only the distinct pairs a ≤ b of A and p ≤ q of w wᵀ, K(K+1)/2 × d(d+1)/2 numbers, O(K²d²/4) per
 * term instead of the N² of a dense update. The Kronecker order is that of {@link MnistLinear}'s parameters,
 * θ[a·d + p] = W_{a,p}: entry ((a,p), (b,q)) of S is Σ_i A_i[a][b] w_i[p] w_i[q]. Every per-example second moment of
 * the linear model (its D, and the Z, B, C, F, G sums of App. B's D̂) has this form, because ∇ℓ_i = −2r_i ⊗ x_i and
 * ∇²ℓ_i = 2 I_K ⊗ x_i x_iᵀ.
 */
final class KroneckerSum {
    private final int k;
    private final int d;
    private final int kPairs;
    private final int dPairs;
    /** S[(a,b), (p,q)]: pair (a,b) at row {@link #packed}(a, b, K), pair (p,q) at column {@link #packed}(p, q, d). */
    private final double[] s;
    private final double[] ww;

    KroneckerSum(int classes, int inputs) {
        this.k = classes;
        this.d = inputs;
        this.kPairs = classes * (classes + 1) / 2;
        this.dPairs = inputs * (inputs + 1) / 2;
        this.s = new double[kPairs * dPairs];
        this.ww = new double[dPairs];
    }

    /** The packed length of a symmetric K×K matrix: K(K+1)/2. */
    int classPairs() {
        return kPairs;
    }

    /** The packed length of a symmetric d×d matrix: d(d+1)/2. */
    int inputPairs() {
        return dPairs;
    }

    /**
     * Adds A ⊗ w wᵀ; {@code a} is A packed (A[a][b] for a ≤ b at {@link #packed}(a, b, K)), w = {@code w[offset …
     * offset + d)}.
     */
    void add(double[] a, double[] w, int offset) {
        for (int p = 0, t = 0; p < d; p++) {
            double wp = w[offset + p];
            for (int q = p; q < d; q++) {
                ww[t++] = wp * w[offset + q];
            }
        }
        for (int ab = 0; ab < kPairs; ab++) {
            double c = a[ab];
            if (c == 0) {
                continue;
            }
            int row = ab * dPairs;
            for (int t = 0; t < dPairs; t++) {
                s[row + t] += c * ww[t];
            }
        }
    }

    /** Adds u uᵀ ⊗ w wᵀ (A = u uᵀ for u ∈ ℝ^K at {@code u[uOffset …)}). */
    void addOuter(double[] u, int uOffset, double[] w, int wOffset, double[] scratch) {
        for (int a = 0, t = 0; a < k; a++) {
            double ua = u[uOffset + a];
            for (int b = a; b < k; b++) {
                scratch[t++] = ua * u[uOffset + b];
            }
        }
        add(scratch, w, wOffset);
    }

    /**
     * Writes (Σ_{p≤q} c_pq S[(a,b),(p,q)] w_p w_q)_{a≤b} packed into {@code out}, with c_pq = 2 for p ≠ q and 1 for
     * p = q: the K×K matrix Σ_i A_i (w_iᵀ w)², i.e. S contracted with w ⊗ w on the input side.
     */
    void contractInputs(double[] w, int offset, double[] out) {
        for (int p = 0, t = 0; p < d; p++) {
            double wp = w[offset + p];
            for (int q = p; q < d; q++) {
                ww[t++] = (p == q ? 1 : 2) * wp * w[offset + q];
            }
        }
        for (int ab = 0; ab < kPairs; ab++) {
            int row = ab * dPairs;
            double acc = 0;
            for (int t = 0; t < dPairs; t++) {
                acc += s[row + t] * ww[t];
            }
            out[ab] = acc;
        }
    }

    /** Adds scale·S to the N×N row-major {@code out} (exactly symmetric). */
    void addTo(double scale, double[] out) {
        int n = k * d;
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
                int row = packed(Math.min(a, b), Math.max(a, b), k) * dPairs;
                for (int p = 0; p < d; p++) {
                    int at = (a * d + p) * n + b * d;
                    for (int q = 0; q < d; q++) {
                        out[at + q] += scale * s[row + packed(Math.min(p, q), Math.max(p, q), d)];
                    }
                }
            }
        }
    }

    /** Index of (i, j), i ≤ j, in the row-major upper triangle of an n×n matrix. */
    static int packed(int i, int j, int n) {
        return i * n - i * (i - 1) / 2 + (j - i);
    }
}

package org.speedlimits.ness;

/**
 * The moments of the without-replacement (WOR) epoch noise variables of paper 003 (Adhikari et al., Appendix B):
 * ζ_i and χ_ij of Eq. B13 and the coefficients a₀…a₅ of Eqs. B14–B15, for an epoch of n = M/m minibatches of size m
 * taken as consecutive blocks of a uniformly random permutation of the M examples.
 *
 * <p>If b_i ∈ {0, …, n−1} is the step at which example i is used, B13 reads ζ_i = (n−1)/2 − b_i and
 * χ_ij = [b_i &gt; b_j] − p(1−δ_ij) with p = (M−m)/(2(M−1)) (χ_ii ≡ 0). Both have zero mean. Three exact identities
 * hold in every epoch and fix the structure of the second moments: Σ_i ζ_i = 0, Σ_i χ_ij = m ζ_j and
 * Σ_j χ_ij = −m ζ_i; reversing the batch order maps ζ → −ζ and χ_ij → χ_ji.
 *
 * <p><b>Printed vs corrected</b> (established by enumerating every ordered partition into n batches in exact rational
 * arithmetic at (M, m) = (4,1), (4,2), (5,1), (6,1), (6,2), (6,3), (8,2), (8,4), (9,3), (10,2), (10,5), and by the sum
 * rules above; {@code WorMomentsTest} repeats the enumeration for every index pattern):
 * <ol>
 *   <li>B14, first line, prints ⟨ζ_iζ_j⟩ = a₀δ_ij. Because Σ_i ζ_i = 0 the off-diagonal moment is not zero:
 *       ⟨ζ_iζ_j⟩ = a₀ [δ_ij − (1−δ_ij)/(M−1)] ({@link #zetaOffDiagonal}).</li>
 *   <li>B15 prints a₅ = −(M−m)(12M + (M−4)(M² + (6+M)m)) / (12(M−2)(M−1)²M). The moment of that index pattern
 *       (⟨χ_ijχ_ki⟩, i,j,k distinct) is P(b_k &gt; b_i &gt; b_j) − p² = (M−m)(M−2m)/(6(M−1)(M−2)) − p², i.e.
 *       a₅ = −(M−m)(M(M−4) + (M+2)m) / (12(M−2)(M−1)²), equivalently a₅ = −(m a₁ + a₄)/(M−2) from Σ_i χ_ij = mζ_j.
 *       The printed numerator exceeds M times the correct one by 12(M−2m): the two agree only at n = 2.</li>
 *   <li>B14, third line, omits the pattern with i, j, k, l all distinct, whose moment is
 *       a₆ = (M−m)(m−1) / (2(M−1)²(M−2)(M−3)) = −(a₂+a₅)/(M−3) ({@link #a6}); zero for m = 1.</li>
 * </ol>
 * a₀, a₁, a₂, a₃, a₄ are as printed, and ⟨ζ_iχ_jk⟩ vanishes when i ∉ {j, k}, as B14 states.
 */
public final class WorMoments {
    private final int m;
    private final int bigM;
    private final int n;

    /** Moments for minibatches of size {@code batchSize} = m out of {@code examples} = M; m must divide M. */
    public WorMoments(int batchSize, int examples) {
        if (batchSize < 1 || examples < batchSize || examples % batchSize != 0)
            throw new IllegalArgumentException("WOR needs 1 ≤ m ≤ M with m dividing M, got m=" + batchSize
                    + ", M=" + examples);
        this.m = batchSize;
        this.bigM = examples;
        this.n = examples / batchSize;
    }

    public int batchSize() { return m; }

    public int examples() { return bigM; }

    /** n = M/m, the steps per epoch. */
    public int steps() { return n; }

    /** a₀ = (M−m)(M+m)/(12m²) = (n²−1)/12, the variance of ζ_i (B15). */
    public double a0() {
        return (double) (bigM - m) * (bigM + m) / (12.0 * m * m);
    }

    /** ⟨ζ_iζ_j⟩ for i ≠ j: −a₀/(M−1) (printed as 0 in B14); 0 when M = 1. */
    public double zetaOffDiagonal() {
        return bigM == 1 ? 0 : -a0() / (bigM - 1);
    }

    /** a₁ = (n+1)(M−m)/(12(M−1)) (B15): ⟨ζ_iχ_jk⟩ = a₁(1−δ_jk)(δ_ik−δ_ij). */
    public double a1() {
        return bigM == 1 ? 0 : (n + 1.0) * (bigM - m) / (12.0 * (bigM - 1));
    }

    /** a₂ = (M−m)(M(M−4) + (M−4)m + 6)/(12(M−2)(M−1)²) (B15): one shared index in the same slot. 0 for M ≤ 2. */
    public double a2() {
        if (bigM <= 2) return 0; // no three distinct indices exist
        double mm = bigM;
        return (mm - m) * (mm * (mm - 4) + (mm - 4) * m + 6) / (12.0 * (mm - 2) * (mm - 1) * (mm - 1));
    }

    /** a₃ = (M−m)(M+m−2)/(4(M−1)²) = ⟨χ_ij²⟩ (B15). */
    public double a3() {
        if (bigM == 1) return 0;
        double mm = bigM;
        return (mm - m) * (mm + m - 2) / (4.0 * (mm - 1) * (mm - 1));
    }

    /** a₄ = −(M−m)²/(4(M−1)²) = ⟨χ_ijχ_ji⟩ (B15). */
    public double a4() {
        if (bigM == 1) return 0;
        double mm = bigM;
        return -(mm - m) * (mm - m) / (4.0 * (mm - 1) * (mm - 1));
    }

    /**
     * a₅ corrected: −(M−m)(M(M−4) + (M+2)m)/(12(M−2)(M−1)²) = ⟨χ_ijχ_ki⟩ = ⟨χ_ijχ_jl⟩ (i, j, k / i, j, l
     * distinct). See the class comment for the printed form ({@link #a5Printed}). 0 for M ≤ 2.
     */
    public double a5() {
        if (bigM <= 2) return 0;
        double mm = bigM;
        return -(mm - m) * (mm * (mm - 4) + (mm + 2) * m) / (12.0 * (mm - 2) * (mm - 1) * (mm - 1));
    }

    /** a₅ exactly as printed in B15 (wrong unless n = 2; kept for comparison). 0 for M ≤ 2. */
    public double a5Printed() {
        if (bigM <= 2) return 0;
        double mm = bigM;
        return -(mm - m) * (12 * mm + (mm - 4) * (mm * mm + (6 + mm) * m))
                / (12.0 * (mm - 2) * (mm - 1) * (mm - 1) * mm);
    }

    /**
     * a₆ = (M−m)(m−1)/(2(M−1)²(M−2)(M−3)) = ⟨χ_ijχ_kl⟩ for i, j, k, l all distinct (missing from B14). 0 for M ≤ 3,
     * where no such pattern exists.
     */
    public double a6() {
        if (bigM <= 3) return 0;
        double mm = bigM;
        return (mm - m) * (m - 1.0) / (2.0 * (mm - 1) * (mm - 1) * (mm - 2) * (mm - 3));
    }

    /** ⟨ζ_iζ_j⟩ (corrected B14). */
    public double zetaZeta(int i, int j) {
        return i == j ? a0() : zetaOffDiagonal();
    }

    /** ⟨ζ_iχ_jk⟩ = a₁(1−δ_jk)(δ_ik − δ_ij) (B14, correct as printed). */
    public double zetaChi(int i, int j, int k) {
        if (j == k) return 0;
        return i == k ? a1() : i == j ? -a1() : 0;
    }

    /** ⟨χ_ijχ_kl⟩ by index pattern (B14 with the corrected a₅ and the all-distinct a₆). */
    public double chiChi(int i, int j, int k, int l) {
        if (i == j || k == l) return 0;
        if (i == k && j == l) return a3();
        if (i == l && j == k) return a4();
        if (i == k || j == l) return a2();
        if (i == l || j == k) return a5();
        return a6();
    }

    /** ⟨χ_ijχ_kl⟩ as printed in B14–B15 (printed a₅, no all-distinct term); for negative controls. */
    public double chiChiPrinted(int i, int j, int k, int l) {
        if (i == j || k == l) return 0;
        if (i == k && j == l) return a3();
        if (i == l && j == k) return a4();
        if (i == k || j == l) return a2();
        if (i == l || j == k) return a5Printed();
        return 0;
    }
}

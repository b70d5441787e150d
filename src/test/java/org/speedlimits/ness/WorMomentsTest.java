package org.speedlimits.ness;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * WorMoments against the exact enumeration of every ordered partition into n batches, with ζ and χ computed from the
 * literal sums of Eq. B13 over the minibatch indicator vectors ẽ_t: every first and second moment, every index
 * pattern. The printed B14–B15 serves as the negative control.
 */
class WorMomentsTest {

    /** Exact averages over all M!/(m!)ⁿ epochs: ⟨ζ⟩, ⟨χ⟩, ⟨ζζ⟩, ⟨ζχ⟩, ⟨χχ⟩ as flat arrays. */
    private record Enumerated(double[] z, double[] c, double[] zz, double[] zc, double[] cc, long count) {}

    private static Enumerated enumerate(int m, int bigM) {
        int n = bigM / m, mm = bigM;
        double[] z1 = new double[mm], c1 = new double[mm * mm], zz = new double[mm * mm];
        double[] zc = new double[mm * mm * mm], cc = new double[mm * mm * mm * mm];
        long[] count = {0};
        double[] zeta = new double[mm], chi = new double[mm * mm];
        double[][] e = new double[n][mm];
        WorFixtures.forEachPartition(m, bigM, batchOf -> {
            for (int t = 0; t < n; t++) java.util.Arrays.fill(e[t], 0);
            for (int i = 0; i < mm; i++) e[batchOf[i]][i] = 1; // ẽ_{t,i}
            for (int i = 0; i < mm; i++) {
                double s = -(n - 1) / 2.0; // B13, ζ
                for (int t = 0; t < n; t++) s += (n - 1 - t) * e[t][i];
                zeta[i] = s;
                for (int j = 0; j < mm; j++) {
                    double x = i == j ? 0 : -(mm - m) / (2.0 * (mm - 1)); // B13, χ
                    for (int t = 0; t < n; t++)
                        for (int tp = t + 1; tp < n; tp++) x += e[tp][i] * e[t][j];
                    chi[i * mm + j] = x;
                }
            }
            // the exact epoch identities behind the corrections
            double sum = 0;
            for (int i = 0; i < mm; i++) sum += zeta[i];
            assertEquals(0, sum, 1e-12, "Σ_i ζ_i = 0");
            for (int j = 0; j < mm; j++) {
                double col = 0, row = 0;
                for (int i = 0; i < mm; i++) {
                    col += chi[i * mm + j];
                    row += chi[j * mm + i];
                }
                assertEquals(m * zeta[j], col, 1e-12, "Σ_i χ_ij = m ζ_j");
                assertEquals(-m * zeta[j], row, 1e-12, "Σ_i χ_ji = −m ζ_j");
            }
            count[0]++;
            for (int i = 0; i < mm; i++) {
                z1[i] += zeta[i];
                for (int j = 0; j < mm; j++) {
                    zz[i * mm + j] += zeta[i] * zeta[j];
                    c1[i * mm + j] += chi[i * mm + j];
                    for (int k = 0; k < mm; k++) zc[(i * mm + j) * mm + k] += zeta[i] * chi[j * mm + k];
                }
            }
            for (int ij = 0; ij < mm * mm; ij++) {
                double x = chi[ij];
                if (x == 0 && ij % (mm + 1) == 0) continue; // χ_ii ≡ 0
                for (int kl = 0; kl < mm * mm; kl++) cc[ij * mm * mm + kl] += x * chi[kl];
            }
        });
        double inv = 1.0 / count[0];
        for (double[] a : new double[][]{z1, c1, zz, zc, cc}) for (int k = 0; k < a.length; k++) a[k] *= inv;
        return new Enumerated(z1, c1, zz, zc, cc, count[0]);
    }

    private static long multinomial(int m, int bigM) {
        long r = 1;
        for (int k = 2; k <= bigM; k++) r *= k;
        long f = 1;
        for (int k = 2; k <= m; k++) f *= k;
        for (int b = 0; b < bigM / m; b++) r /= f;
        return r;
    }

    private static void checkAll(int m, int bigM) {
        Enumerated en = enumerate(m, bigM);
        assertEquals(multinomial(m, bigM), en.count(), "all ordered partitions visited");
        WorMoments w = new WorMoments(m, bigM);
        int mm = bigM;
        double tol = 1e-12;
        int printedMismatch = 0;
        for (int i = 0; i < mm; i++) {
            assertEquals(0, en.z()[i], tol, "⟨ζ_i⟩");
            for (int j = 0; j < mm; j++) {
                assertEquals(0, en.c()[i * mm + j], tol, "⟨χ_ij⟩");
                assertEquals(w.zetaZeta(i, j), en.zz()[i * mm + j], tol, "⟨ζ_iζ_j⟩ " + i + j);
                if (Math.abs((i == j ? w.a0() : 0) - en.zz()[i * mm + j]) > 1e-9) printedMismatch++;
                for (int k = 0; k < mm; k++)
                    assertEquals(w.zetaChi(i, j, k), en.zc()[(i * mm + j) * mm + k], tol, "⟨ζχ⟩ " + i + j + k);
                for (int k = 0; k < mm; k++)
                    for (int l = 0; l < mm; l++) {
                        double exact = en.cc()[(i * mm + j) * mm * mm + k * mm + l];
                        assertEquals(w.chiChi(i, j, k, l), exact, tol, "⟨χχ⟩ " + i + j + k + l);
                        if (Math.abs(w.chiChiPrinted(i, j, k, l) - exact) > 1e-9) printedMismatch++;
                    }
            }
        }
        // negative control: the printed B14/B15 disagree with the enumeration somewhere (for M ≥ 3 and n ≥ 2)
        if (mm >= 3 && bigM / m >= 2) assertTrue(printedMismatch > 0, "printed B14 should fail at m=" + m + " M=" + mm);
    }

    @Test
    void everyPatternMatchesEnumerationM6m2() { checkAll(2, 6); }

    @Test
    void everyPatternMatchesEnumerationM6m3() { checkAll(3, 6); }

    @Test
    void everyPatternMatchesEnumerationM6m1() { checkAll(1, 6); }

    @Test
    void everyPatternMatchesEnumerationM8m2() { checkAll(2, 8); }

    @Test
    void everyPatternMatchesEnumerationM9m3AndSmallCases() {
        checkAll(3, 9);
        checkAll(2, 4);
        checkAll(1, 3);
        checkAll(1, 2);
        checkAll(4, 4); // n = 1: everything vanishes
    }

    @Test
    void printedA5AgreesOnlyAtTwoBatches() {
        for (int bigM : new int[]{4, 6, 8, 10, 20}) {
            WorMoments two = new WorMoments(bigM / 2, bigM);
            assertEquals(two.a5(), two.a5Printed(), 1e-15 * Math.abs(two.a5()), "n = 2, M = " + bigM);
        }
        for (int[] mm : new int[][]{{1, 4}, {2, 6}, {2, 8}, {3, 9}, {5, 50}}) {
            WorMoments w = new WorMoments(mm[0], mm[1]);
            // printed − corrected = −(M−m)(M−2m)/((M−2)(M−1)²M), derived from the numerators
            double diff = -(double) (mm[1] - mm[0]) * (mm[1] - 2 * mm[0])
                    / ((mm[1] - 2.0) * (mm[1] - 1.0) * (mm[1] - 1.0) * mm[1]);
            assertEquals(diff, w.a5Printed() - w.a5(), 1e-14);
        }
    }

    @Test
    void sumRulesTieTheCoefficients() {
        for (int[] mm : new int[][]{{1, 5}, {2, 6}, {3, 12}, {4, 40}, {10, 1000}}) {
            WorMoments w = new WorMoments(mm[0], mm[1]);
            int m = mm[0], bigM = mm[1];
            double tol = 1e-14 * (1 + w.a0());
            // Σ_j ⟨ζ_iζ_j⟩ = 0; Σ_l ⟨χ_ijχ_il⟩ = m a₁; Σ_l ⟨χ_ijχ_li⟩ = −m a₁; Σ_k ⟨χ_ijχ_kl⟩ = m⟨χ_ijζ_l⟩ = 0 (l ∉ {i,j})
            assertEquals(0, w.a0() + (bigM - 1) * w.zetaOffDiagonal(), tol);
            assertEquals(m * w.a1(), w.a3() + (bigM - 2) * w.a2(), tol);
            assertEquals(-m * w.a1(), w.a4() + (bigM - 2) * w.a5(), tol);
            assertEquals(0, w.a2() + w.a5() + (bigM - 3) * w.a6(), tol);
        }
    }

    @Test
    void rejectsBatchSizesThatDoNotDivide() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new WorMoments(3, 8));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new WorMoments(0, 8));
    }
}

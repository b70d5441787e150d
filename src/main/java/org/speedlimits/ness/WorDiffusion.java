package org.speedlimits.ness;

/**
 * The WOR epoch diffusion matrix D̂(θ) = ½⟨ξ̂ξ̂ᵀ⟩ of paper 003 (Adhikari et al.), Eq. 17, with the epoch noise
 * ξ̂ = η²[Zζ + Sχ] of Eq. B11:
 * <pre>
 *   Z_i = n(Y V_i − U_i X),   S_ij = n² U_i V_j          (B12; V_i = M⁻¹∇ℓ_i, U_i = M⁻¹∇²ℓ_i, X = ∇R, Y = ∇²R)
 *   B_i = Σ_{j≠i} S_ji,  C_i = Σ_{j≠i} S_ij,  F = Σ_{i≠j} S_ijS_ijᵀ,  G = Σ_{i≠j} S_ijS_jiᵀ     (B19–B20)
 * </pre>
 * (B, C here are Eq. B20's noise matrices, not the circulation matrix C of Eq. 24; {@link Terms} names them so.)
 *
 * <p><b>Full form ({@link Form#FULL}): Eq. B18 re-derived with the corrected moments of {@link WorMoments}.</b>
 * Contracting ⟨ξ̂ξ̂ᵀ⟩ with the exact B14 (off-diagonal ⟨ζ_iζ_j⟩ = b₀ = −a₀/(M−1), corrected a₅, all-distinct a₆)
 * gives
 * <pre>
 *   D̂ = ½η⁴[ a₀(M/(M−1)) ZZᵀ − (a₀/(M−1)) zzᵀ + a₁(Z(B−C)ᵀ + (B−C)Zᵀ) + (a₂−a₆)(BBᵀ+CCᵀ)
 *          + (a₃−2a₂+a₆)F + (a₄−2a₅+a₆)G + (a₅−a₆)(BCᵀ+CBᵀ) + a₆TTᵀ ]
 * </pre>
 * with z = Σ_iZ_i and T = Σ_iB_i = Σ_iC_i; the a₆ terms come from Σ_{i,j,k,l distinct} S_ijS_klᵀ =
 * TTᵀ − (B+C)(B+C)ᵀ + F + G. Printed B18 is the special case b₀ = a₆ = 0 with the printed a₅
 * ({@link Form#PRINTED}); its ZZᵀ term is not invariant under Z_i → Z_i + w although Zζ is (Σζ_i = 0), and likewise
 * for a coherent shift of S (Σ_ijχ_ij = 0), so it is badly off when the per-example gradients share a common part —
 * e.g. at a regularised minimum, where ∇L = −∇R ≠ 0 (59% on the tanh test model at θ₀). D̂ is O(η⁴); the truncation
 * of B7–B8 leaves a relative O(η) error ({@code WorDiffusionTest} checks this against the exact epoch covariance).
 *
 * <p>The fast forms avoid the O(M²) pair sums: with ∇L = Σ_jV_j and ∇²L = Σ_jU_j,
 * C_i = n²U_i(∇L − V_i), B_i = n²(∇²L − U_i)V_i, F = n⁴Σ_iU_i(W − V_iV_iᵀ)U_i (W = VVᵀ), and
 * G = n⁴[Σ_{γδ}P_{αγδ}P_{βδγ} − Σ_i(U_iV_i)(U_iV_i)ᵀ] with P_{αγδ} = Σ_iU_{i,αγ}V_{i,δ}: O(MN³) in all.
 *
 * <p>Other forms: {@link Form#ONE_TERM} is Eq. B21, ½η⁴a₂BBᵀ; {@link Form#EQ18_VV} is Eq. 18's (ηn)⁴/24·HVVᵀH
 * and {@link Form#EQ18_HDH} its η²n³/12·HDH with the WR D of Eq. A10, H = ∇²𝓛 (R included: the a₀ZZᵀ and a₁ cross
 * terms supply the ∇²R parts that B21 lacks).
 */
public final class WorDiffusion {
    /** Which expression for D̂. */
    public enum Form {
        /** Eq. B18 with the corrected B14 moments (the default). */
        FULL,
        /** Eq. B18 exactly as printed, with the printed B14–B15 (for comparison). */
        PRINTED,
        /** Eq. B21: ½η⁴a₂BBᵀ. */
        ONE_TERM,
        /** Eq. 18, first line: (ηn)⁴/24 · H V Vᵀ H. */
        EQ18_VV,
        /** Eq. 18, second line: η²n³/12 · H D H, D from Eq. A10. */
        EQ18_HDH
    }

    /**
     * The ingredients of Eq. B18 at one θ: {@code z[i]}, {@code noiseB[i]}, {@code noiseC[i]} are the columns
     * Z_{·i}, B_{·i}, C_{·i} (length N) of Eqs. B12 and B20; {@code f}, {@code g} are the N×N matrices F, G of B20
     * (row-major); {@code total} is T = Σ_iB_i = Σ_iC_i = Σ_{i≠j}S_ij.
     */
    public record Terms(double[][] z, double[][] noiseB, double[][] noiseC, double[] f, double[] g, double[] total) {
        public int parameters() { return total.length; }

        public int examples() { return z.length; }
    }

    private final NessModel model;
    private final WorMoments moments;
    private final double eta;

    /** D̂ for minibatches of size {@code batchSize} (dividing M) at learning rate η. */
    public WorDiffusion(NessModel model, int batchSize, double eta) {
        this.model = model;
        this.moments = new WorMoments(batchSize, model.examples());
        this.eta = eta;
    }

    public WorMoments moments() { return moments; }

    public double eta() { return eta; }

    /** D̂(θ) (N×N row-major) in the chosen form. */
    public double[] at(Form form, double[] theta) {
        return switch (form) {
            case FULL -> contract(terms(theta), moments, eta);
            case PRINTED -> contractPrinted(terms(theta), moments, eta);
            case ONE_TERM -> oneTerm(theta);
            case EQ18_VV -> eq18(theta, false);
            case EQ18_HDH -> eq18(theta, true);
        };
    }

    /** D̂(θ) by the full corrected Eq. B18. */
    public double[] full(double[] theta) {
        return contract(terms(theta), moments, eta);
    }

    /** Per-example V_i = M⁻¹∇ℓ_i (v[i]) and U_i = M⁻¹∇²ℓ_i (u[i], row-major). */
    private record Examples(double[][] v, double[][] u) {}

    private Examples examples(double[] theta) {
        int nPar = model.parameters(), bigM = model.examples();
        double[][] v = new double[bigM][nPar], u = new double[bigM][nPar * nPar];
        for (int i = 0; i < bigM; i++) {
            model.exampleGradient(theta, i, v[i]);
            model.exampleHessian(theta, i, u[i]);
            for (int a = 0; a < nPar; a++) v[i][a] /= bigM;
            for (int k = 0; k < nPar * nPar; k++) u[i][k] /= bigM;
        }
        return new Examples(v, u);
    }

    /** Z, B, C, F, G, T at θ by the fast O(MN³) forms (class comment). */
    public Terms terms(double[] theta) {
        int nPar = model.parameters(), bigM = model.examples(), n = moments.steps();
        Examples ex = examples(theta);
        double[][] v = ex.v(), u = ex.u();
        double lam = model.lambda();
        double n2 = (double) n * n, n4 = n2 * n2;
        double[] gradL = new double[nPar], hessL = new double[nPar * nPar], x = new double[nPar];
        for (int a = 0; a < nPar; a++) x[a] = 2 * lam * theta[a]; // X = ∇R; Y = 2λI
        double[] w = new double[nPar * nPar];
        for (int i = 0; i < bigM; i++) {
            for (int a = 0; a < nPar; a++) {
                gradL[a] += v[i][a];
                for (int b = 0; b < nPar; b++) w[a * nPar + b] += v[i][a] * v[i][b];
            }
            for (int k = 0; k < nPar * nPar; k++) hessL[k] += u[i][k];
        }
        double[][] z = new double[bigM][nPar], bm = new double[bigM][nPar], cm = new double[bigM][nPar];
        double[][] uv = new double[bigM][];
        double[] total = new double[nPar], f = new double[nPar * nPar], g = new double[nPar * nPar];
        double[] rest = new double[nPar], tmp = new double[nPar * nPar];
        for (int i = 0; i < bigM; i++) {
            double[] ux = mul(u[i], x, nPar);
            uv[i] = mul(u[i], v[i], nPar);
            for (int a = 0; a < nPar; a++) {
                z[i][a] = n * (2 * lam * v[i][a] - ux[a]);
                rest[a] = gradL[a] - v[i][a];
            }
            double[] ur = mul(u[i], rest, nPar);
            double[] hv = mul(hessL, v[i], nPar);
            for (int a = 0; a < nPar; a++) {
                cm[i][a] = n2 * ur[a];
                bm[i][a] = n2 * (hv[a] - uv[i][a]);
                total[a] += cm[i][a];
            }
            // F += U_i (W − V_iV_iᵀ) U_i
            for (int a = 0; a < nPar; a++)
                for (int b = 0; b < nPar; b++) tmp[a * nPar + b] = w[a * nPar + b] - v[i][a] * v[i][b];
            double[] left = mulMat(u[i], tmp, nPar);
            double[] prod = mulMat(left, u[i], nPar);
            for (int k = 0; k < nPar * nPar; k++) f[k] += n4 * prod[k];
        }
        // G = n⁴[Σ_{γδ}P_{αγδ}P_{βδγ} − Σ_i(U_iV_i)(U_iV_i)ᵀ], P_{αγδ} = Σ_iU_{i,αγ}V_{i,δ}
        double[] p = new double[nPar * nPar * nPar];
        for (int i = 0; i < bigM; i++)
            for (int ag = 0; ag < nPar * nPar; ag++) {
                double uag = u[i][ag];
                if (uag == 0) continue;
                for (int d = 0; d < nPar; d++) p[ag * nPar + d] += uag * v[i][d];
            }
        for (int a = 0; a < nPar; a++)
            for (int b = 0; b < nPar; b++) {
                double s = 0;
                for (int gm = 0; gm < nPar; gm++)
                    for (int d = 0; d < nPar; d++) s += p[(a * nPar + gm) * nPar + d] * p[(b * nPar + d) * nPar + gm];
                for (int i = 0; i < bigM; i++) s -= uv[i][a] * uv[i][b];
                g[a * nPar + b] = n4 * s;
            }
        return new Terms(z, bm, cm, f, g, total);
    }

    /** D̂ by the corrected Eq. B18 (class comment) from given terms; symmetric N×N row-major. */
    public static double[] contract(Terms t, WorMoments w, double eta) {
        int nPar = t.parameters(), bigM = t.examples();
        double[] out = new double[nPar * nPar];
        if (w.steps() == 1) return out;
        double a0 = w.a0(), a1 = w.a1(), a2 = w.a2(), a3 = w.a3(), a4 = w.a4(), a5 = w.a5(), a6 = w.a6();
        double[] zsum = new double[nPar];
        for (double[] zi : t.z()) for (int a = 0; a < nPar; a++) zsum[a] += zi[a];
        double cZZ = a0 * bigM / (bigM - 1.0), czz = -a0 / (bigM - 1.0);
        for (int i = 0; i < bigM; i++) {
            double[] z = t.z()[i], b = t.noiseB()[i], c = t.noiseC()[i];
            for (int a = 0; a < nPar; a++)
                for (int q = 0; q < nPar; q++)
                    out[a * nPar + q] += cZZ * z[a] * z[q]
                            + a1 * (z[a] * (b[q] - c[q]) + (b[a] - c[a]) * z[q])
                            + (a2 - a6) * (b[a] * b[q] + c[a] * c[q])
                            + (a5 - a6) * (b[a] * c[q] + c[a] * b[q]);
        }
        double[] tt = t.total();
        for (int a = 0; a < nPar; a++)
            for (int q = 0; q < nPar; q++) {
                int k = a * nPar + q;
                out[k] += czz * zsum[a] * zsum[q] + (a3 - 2 * a2 + a6) * t.f()[k] + (a4 - 2 * a5 + a6) * t.g()[k]
                        + a6 * tt[a] * tt[q];
            }
        return symmetricScaled(out, nPar, 0.5 * Math.pow(eta, 4));
    }

    /** D̂ by Eq. B18 exactly as printed (printed B14–B15: no b₀, no a₆, printed a₅). */
    public static double[] contractPrinted(Terms t, WorMoments w, double eta) {
        int nPar = t.parameters(), bigM = t.examples();
        double[] out = new double[nPar * nPar];
        if (w.steps() == 1) return out;
        double a0 = w.a0(), a1 = w.a1(), a2 = w.a2(), a3 = w.a3(), a4 = w.a4(), a5 = w.a5Printed();
        for (int i = 0; i < bigM; i++) {
            double[] z = t.z()[i], b = t.noiseB()[i], c = t.noiseC()[i];
            for (int a = 0; a < nPar; a++)
                for (int q = 0; q < nPar; q++)
                    out[a * nPar + q] += a0 * z[a] * z[q] + a1 * (z[a] * (b[q] - c[q]) + (b[a] - c[a]) * z[q])
                            + a2 * (b[a] * b[q] + c[a] * c[q]) + a5 * (b[a] * c[q] + c[a] * b[q]);
        }
        for (int k = 0; k < nPar * nPar; k++) out[k] += (a3 - 2 * a2) * t.f()[k] + (a4 - 2 * a5) * t.g()[k];
        return symmetricScaled(out, nPar, 0.5 * Math.pow(eta, 4));
    }

    /** Eq. B21: ½η⁴a₂BBᵀ. */
    public double[] oneTerm(double[] theta) {
        Terms t = terms(theta);
        int nPar = t.parameters();
        double[] out = new double[nPar * nPar];
        for (double[] b : t.noiseB())
            for (int a = 0; a < nPar; a++)
                for (int q = 0; q < nPar; q++) out[a * nPar + q] += b[a] * b[q];
        return symmetricScaled(out, nPar, 0.5 * Math.pow(eta, 4) * moments.a2());
    }

    /** Eq. 18: (ηn)⁴/24·HVVᵀH, or (second line) η²n³/12·HDH with D of Eq. A10. */
    private double[] eq18(double[] theta, boolean viaD) {
        int nPar = model.parameters(), n = moments.steps();
        double[] h = new double[nPar * nPar];
        model.hessian(theta, h);
        double[] mid;
        double scale;
        if (viaD) {
            mid = wrDiffusion(model, moments.batchSize(), eta, theta);
            scale = eta * eta * Math.pow(n, 3) / 12.0;
        } else {
            Examples ex = examples(theta);
            mid = new double[nPar * nPar];
            for (double[] v : ex.v())
                for (int a = 0; a < nPar; a++)
                    for (int q = 0; q < nPar; q++) mid[a * nPar + q] += v[a] * v[q];
            scale = Math.pow(eta * n, 4) / 24.0;
        }
        return symmetricScaled(mulMat(mulMat(h, mid, nPar), h, nPar), nPar, scale);
    }

    /** The WR diffusion matrix of Eq. A10 ({@link WrDiffusion#exact}), flattened row-major. */
    static double[] wrDiffusion(NessModel model, int batchSize, double eta, double[] theta) {
        return NessExperiment.flat(WrDiffusion.exact(model, theta, eta, batchSize));
    }

    /** scale·½(A + Aᵀ). */
    private static double[] symmetricScaled(double[] a, int nPar, double scale) {
        double[] out = new double[nPar * nPar];
        for (int p = 0; p < nPar; p++)
            for (int q = 0; q < nPar; q++) out[p * nPar + q] = 0.5 * scale * (a[p * nPar + q] + a[q * nPar + p]);
        return out;
    }

    private static double[] mul(double[] a, double[] x, int nPar) {
        double[] y = new double[nPar];
        for (int p = 0; p < nPar; p++) {
            double s = 0;
            for (int q = 0; q < nPar; q++) s += a[p * nPar + q] * x[q];
            y[p] = s;
        }
        return y;
    }

    static double[] mulMat(double[] a, double[] b, int nPar) {
        double[] c = new double[nPar * nPar];
        for (int p = 0; p < nPar; p++)
            for (int k = 0; k < nPar; k++) {
                double apk = a[p * nPar + k];
                if (apk == 0) continue;
                for (int q = 0; q < nPar; q++) c[p * nPar + q] += apk * b[k * nPar + q];
            }
        return c;
    }
}

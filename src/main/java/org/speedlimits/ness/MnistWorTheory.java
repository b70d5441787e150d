package org.speedlimits.ness;

import org.speedlimits.linreg.Mat;

/**
 * Appendix B's without-replacement theory (paper 003, Adhikari et al.) for the linear MNIST model {@link MnistLinear},
 * exact and in structured form: the same L̂ (Eq. 16 = B10), θ̂₀, Ĥ = ∇²L̂, D̂ (the corrected Eq. B18 of
 * {@link WorDiffusion}, moments of {@link WorMoments}), Σ̂ and Ĉ as {@link WorLandscape}, {@link WorDiffusion} and
 * {@link WorTheory}, but without their O(MN³) per-example Hessian products and N finite-difference gradients, which
 * at N = 490 are out of reach.
 *
 * <p>What makes it cheap: with r_i = y_i − W x_i, k_ij = x_iᵀx_j and θ ↔ W row-major (θ[a·d + p] = W_{a,p}),
 * <ul>
 *   <li>V_i = M⁻¹∇ℓ_i = −(2/M) r_i ⊗ x_i, U_i = M⁻¹∇²ℓ_i = (2/M) I_K ⊗ x_i x_iᵀ (θ-independent), X = 2λθ, Y = 2λI;</li>
 *   <li>L̂ is quadratic in θ: Ĥ = I_K ⊗ ĥ with the d×d
 *       ĥ = 2n(C + λ) − 2ηn(n−1)[(C + λ)² + (C² − K_d)/(M−1)], C = (1/M)Σx_ix_iᵀ, K_d = (1/M)Σ k_ii x_ix_iᵀ
 *       (from ∇²|∇𝓛|² = 2H², ∇²|∇L|² = 2(∇²L)², ∇²tr VVᵀ = 2Σ_iU_i²), and ∇L̂ = Wĥ − b̂, so θ̂₀ = b̂ĥ⁻¹ (one
 *       d×d solve) — no Newton iterations;</li>
 *   <li>B12/B20's ingredients are Kronecker products: Z_i = −(4λn/M) y_i ⊗ x_i (r_i + Wx_i = y_i: θ-independent),
 *       C_i = −(4n²/M²) c_i ⊗ x_i with c_i = Σ_{j≠i} k_ij r_j, B_i = −(4n²/M²) r_i ⊗ u_i with
 *       u_i = Σ_{j≠i} k_ij x_j, S_ij = −(4n²/M²) k_ij r_j ⊗ x_i, so F = β²Σ_i(Σ_{j≠i}k_ij² r_jr_jᵀ) ⊗ x_ix_iᵀ and
 *       G = β²Σ_{i≠j} k_ij² (r_jr_iᵀ) ⊗ (x_ix_jᵀ), β = −4n²/M².</li>
 * </ul>
 * c_i and u_i come from the moments (R̃x_i − k_ii r_i with R̃ = Σ_j r_jx_jᵀ, MCx_i − k_ii x_i); the k_ij² sums of F
 * and G are never formed pairwise: k_ij² = (x_i ⊗ x_i)·(x_j ⊗ x_j) turns them into contractions of
 * Σ_j (r_jr_jᵀ) ⊗ x_jx_jᵀ ({@link KroneckerSum}) and of P[(s,t),(p,b)] = Σ_i x_is x_it x_ip r_ib. D̂ costs
 * O(M(K²d²/4 + nnz(x)·K·N + nnz(x)²·N/2) + d²N²/2), about 10¹⁰ multiply-adds at M = 9,900, instead of O(MN³).
 *
 * <p>{@code MnistWorTheoryTest} checks every output against the general implementation on small instances (random
 * data and coarse real digits) to ~1e-10 and shows that the printed B18 coefficients or a dropped term fail that.
 */
public final class MnistWorTheory {
    /**
     * The coefficients of the D̂ bracket (Eq. B18, corrected in {@link WorDiffusion}):
     * <pre>
     *   2η⁻⁴D̂ = zz·ΣZ_iZ_iᵀ + zSum·zzᵀ + a1·Σ(Z_i(B_i−C_i)ᵀ + (B_i−C_i)Z_iᵀ) + bb·Σ(B_iB_iᵀ + C_iC_iᵀ)
     *          + bc·Σ(B_iC_iᵀ + C_iB_iᵀ) + f·F + g·G + t·TTᵀ.
     * </pre>
     */
    public record Coefficients(double zz, double zSum, double a1, double bb, double bc, double f, double g, double t) {
        /** The corrected B18: zz = a₀M/(M−1), zSum = −a₀/(M−1), bb = a₂−a₆, bc = a₅−a₆, f = a₃−2a₂+a₆, g = a₄−2a₅+a₆, t = a₆. */
        public static Coefficients corrected(WorMoments w) {
            double bigM = w.examples(), a0 = w.a0(), a2 = w.a2(), a5 = w.a5(), a6 = w.a6();
            return new Coefficients(a0 * bigM / (bigM - 1), -a0 / (bigM - 1), w.a1(), a2 - a6, a5 - a6,
                    w.a3() - 2 * a2 + a6, w.a4() - 2 * a5 + a6, a6);
        }

        /** B18 as printed (printed a₅, ⟨ζ_iζ_j⟩ = a₀δ_ij, no a₆): {@link WorDiffusion.Form#PRINTED}. */
        public static Coefficients printed(WorMoments w) {
            double a2 = w.a2(), a5 = w.a5Printed();
            return new Coefficients(w.a0(), 0, w.a1(), a2, a5, w.a3() - 2 * a2, w.a4() - 2 * a5, 0);
        }
    }

    private final MnistLinear model;
    private final WorMoments moments;
    private final double eta;
    private final int k;
    private final int d;
    private final int bigM;
    private final int nPar;
    private final double[] x;
    /** ĥ (d×d row-major): Ĥ = I_K ⊗ ĥ. */
    private final double[] hHat;
    /** b̂ (K×d row-major): ∇L̂ = Wĥ − b̂. */
    private final double[] bHat;

    /** The theory for minibatches of size {@code batchSize} (dividing M) at learning rate η. */
    public MnistWorTheory(MnistLinear model, int batchSize, double eta) {
        this.model = model;
        this.moments = new WorMoments(batchSize, model.examples());
        this.eta = eta;
        this.k = model.classes();
        this.d = model.inputDimension();
        this.bigM = model.examples();
        this.nPar = model.parameters();
        this.x = model.inputValues();
        if (bigM < 2) throw new IllegalArgumentException("the WOR theory needs M >= 2 examples, got " + bigM);
        int n = moments.steps();
        double lam = model.lambda();
        double[] c = model.secondMoment();
        double[] kd = new double[d * d], cross = new double[k * d], yk = new double[k * d];
        for (int i = 0; i < bigM; i++) {
            int base = i * d, label = model.label(i);
            double kii = 0;
            for (int p = 0; p < d; p++) kii += x[base + p] * x[base + p];
            for (int p = 0; p < d; p++) {
                double xp = x[base + p];
                cross[label * d + p] += xp / bigM;
                yk[label * d + p] += kii * xp / bigM;
                for (int q = 0; q < d; q++) kd[p * d + q] += kii * xp * x[base + q] / bigM;
            }
        }
        double[] a = c.clone();
        for (int p = 0; p < d; p++) a[p * d + p] += lam; // C + λ
        double[] a2 = multiply(a, d, d, a, d), c2 = multiply(c, d, d, c, d);
        double[] bA = multiply(cross, k, d, a, d), bC = multiply(cross, k, d, c, d);
        double pre = 2 * eta * n * (n - 1.0); // 4 × ηn(n−1)/2: the U_i carry 2/M, the V_i −2/M
        hHat = new double[d * d];
        for (int t = 0; t < d * d; t++) hHat[t] = 2 * n * a[t] - pre * (a2[t] + (c2[t] - kd[t]) / (bigM - 1));
        bHat = new double[k * d];
        for (int t = 0; t < k * d; t++) bHat[t] = 2 * n * cross[t] - pre * (bA[t] + (bC[t] - yk[t]) / (bigM - 1));
        symmetrize(hHat, d);
    }

    public MnistLinear model() { return model; }

    public WorMoments moments() { return moments; }

    public double eta() { return eta; }

    /** ĥ (d×d row-major), with Ĥ = ∇²L̂ = I_K ⊗ ĥ. */
    public double[] hessianBlock() {
        return hHat.clone();
    }

    /** Ĥ = ∇²L̂ = I_K ⊗ ĥ (N×N row-major; the same at every θ). */
    public double[] hessian() {
        double[] h = new double[nPar * nPar];
        for (int a = 0; a < k; a++)
            for (int p = 0; p < d; p++)
                System.arraycopy(hHat, p * d, h, (a * d + p) * nPar + a * d, d);
        return h;
    }

    /** ∇L̂(θ) = Wĥ − b̂ (Eq. 16's gradient, exact: L̂ is quadratic). */
    public double[] gradient(double[] theta) {
        requireLength(theta);
        double[] g = multiply(theta, k, d, hHat, d);
        for (int t = 0; t < g.length; t++) g[t] -= bHat[t];
        return g;
    }

    /** θ̂₀ = argmin L̂ = b̂ĥ⁻¹ (rows of W solved with ĥ). */
    public double[] centre() {
        double[][] rhs = new double[d][k];
        for (int a = 0; a < k; a++) for (int p = 0; p < d; p++) rhs[p][a] = bHat[a * d + p];
        double[][] w;
        try {
            w = NessLinalg.solve(NessLinalg.square(hHat, d), rhs);
        } catch (ArithmeticException e) {
            throw new IllegalStateException("MnistWorTheory: ĥ is singular (η = " + eta + " too large for L̂?)", e);
        }
        double[] theta = new double[nPar];
        for (int a = 0; a < k; a++) for (int p = 0; p < d; p++) theta[a * d + p] = w[p][a];
        return theta;
    }

    /** D̂(θ) by the corrected Eq. B18 (N×N row-major). */
    public double[] diffusion(double[] theta) {
        return diffusion(theta, Coefficients.corrected(moments));
    }

    /** D̂(θ) = ½η⁴ × the B18 bracket with the given coefficients (class comment for the structure). */
    public double[] diffusion(double[] theta, Coefficients co) {
        requireLength(theta);
        double[] out = new double[nPar * nPar];
        int n = moments.steps();
        if (n == 1) return out;
        double alpha = -4 * model.lambda() * n / bigM, beta = -4.0 * n * n / ((double) bigM * bigM);
        double[] r = model.residuals(theta);
        // R̃ = Σ_j r_j x_jᵀ (K×d), S = Σ_j x_j x_jᵀ = M·C (d×d), and Q = Σ_j (r_jr_jᵀ) ⊗ x_jx_jᵀ
        double[] rx = new double[k * d], s = model.secondMoment();
        for (int t = 0; t < s.length; t++) s[t] *= bigM;
        KroneckerSum q = new KroneckerSum(k, d);
        double[] packedK = new double[q.classPairs()];
        for (int i = 0; i < bigM; i++) {
            for (int a = 0; a < k; a++) {
                double ra = r[i * k + a];
                for (int p = 0; p < d; p++) rx[a * d + p] += ra * x[i * d + p];
            }
            q.addOuter(r, i * k, x, i * d, packedK);
        }
        KroneckerSum onX = new KroneckerSum(k, d), onU = new KroneckerSum(k, d);
        int dPairs = onX.inputPairs();
        double[] ri = new double[q.classPairs()], ai = new double[q.classPairs()];
        double[] cross = new double[nPar * nPar], total = new double[nPar];
        double[] pg = new double[dPairs * nPar]; // P[(s,t)][p·K + b] = Σ_i x_is x_it x_ip r_ib
        double[] ci = new double[k], ui = new double[d], si = new double[k], y = new double[k], e = new double[nPar],
                f = new double[nPar], ev = new double[nPar];
        for (int i = 0; i < bigM; i++) {
            int base = i * d, rb = i * k;
            double kii = 0;
            for (int p = 0; p < d; p++) kii += x[base + p] * x[base + p];
            java.util.Arrays.fill(y, 0);
            y[model.label(i)] = 1;
            for (int a = 0; a < k; a++) {
                double acc = 0;
                for (int p = 0; p < d; p++) acc += rx[a * d + p] * x[base + p];
                ci[a] = acc - kii * r[rb + a];
            }
            for (int p = 0; p < d; p++) {
                double acc = 0;
                for (int t = 0; t < d; t++) acc += s[p * d + t] * x[base + t];
                ui[p] = acc - kii * x[base + p];
            }
            // Σ_{j≠i} k_ij² r_jr_jᵀ = Q contracted with x_i ⊗ x_i, minus the j = i term
            q.contractInputs(x, base, ri);
            for (int a = 0, t = 0; a < k; a++)
                for (int b = a; b < k; b++, t++) {
                    double rr = r[rb + a] * r[rb + b];
                    ri[t] -= kii * kii * rr;
                    // the per-example terms on x_i x_iᵀ: ZZᵀ, CCᵀ, the a₁ Z–C cross terms, F, and G's j = i part
                    ai[t] = co.zz() * alpha * alpha * y[a] * y[b] + co.bb() * beta * beta * ci[a] * ci[b]
                            - co.a1() * alpha * beta * (y[a] * ci[b] + ci[a] * y[b])
                            + co.f() * beta * beta * ri[t] - co.g() * beta * beta * kii * kii * rr;
                }
            onX.add(ai, x, base);
            onU.addOuter(r, rb, ui, 0, packedK); // BBᵀ: (r_ir_iᵀ) ⊗ u_iu_iᵀ, scaled by bb·β² below
            // (a₁Z_i + bc·C_i) B_iᵀ: e = s_i ⊗ x_i, f = β r_i ⊗ u_i
            for (int a = 0; a < k; a++) {
                si[a] = co.a1() * alpha * y[a] + co.bc() * beta * ci[a];
                for (int p = 0; p < d; p++) {
                    e[a * d + p] = si[a] * x[base + p];
                    f[a * d + p] = beta * r[rb + a] * ui[p];
                    total[a * d + p] += f[a * d + p];
                }
            }
            for (int al = 0; al < nPar; al++) {
                double ea = e[al];
                if (ea == 0) continue;
                int row = al * nPar;
                for (int be = 0; be < nPar; be++) cross[row + be] += ea * f[be];
            }
            // P for G: ev[p·K + b] = x_ip r_ib
            for (int p = 0; p < d; p++)
                for (int b = 0; b < k; b++) ev[p * k + b] = x[base + p] * r[rb + b];
            for (int p = 0, t = 0; p < d; p++) {
                double xp = x[base + p];
                if (xp == 0) {
                    t += d - p;
                    continue;
                }
                for (int u = p; u < d; u++, t++) {
                    double w = xp * x[base + u];
                    if (w == 0) continue;
                    int row = t * nPar;
                    for (int c = 0; c < nPar; c++) pg[row + c] += w * ev[c];
                }
            }
        }
        onX.addTo(1, out);
        onU.addTo(co.bb() * beta * beta, out);
        for (int al = 0; al < nPar; al++)
            for (int be = 0; be < nPar; be++) out[al * nPar + be] += cross[al * nPar + be] + cross[be * nPar + al];
        // Σ_{i,j} k_ij² (r_j ⊗ x_i)(r_i ⊗ x_j)ᵀ = Σ_{s≤t} w_st P[(s,t),(p,b)] P[(s,t),(q,a)] at ((a,p),(b,q))
        double[] gp = new double[nPar * nPar]; // index (p·K + b, q·K + a)
        for (int p = 0, t = 0; p < d; p++)
            for (int u = p; u < d; u++, t++) {
                double w = (p == u ? 1 : 2) * co.g() * beta * beta;
                int row = t * nPar;
                for (int c1 = 0; c1 < nPar; c1++) {
                    double v = w * pg[row + c1];
                    if (v == 0) continue;
                    int at = c1 * nPar;
                    for (int c2 = 0; c2 < nPar; c2++) gp[at + c2] += v * pg[row + c2];
                }
            }
        for (int a = 0; a < k; a++)
            for (int p = 0; p < d; p++)
                for (int b = 0; b < k; b++)
                    for (int u = 0; u < d; u++)
                        out[(a * d + p) * nPar + b * d + u] += gp[(p * k + b) * nPar + u * k + a];
        // z = ΣZ_i = α M · (1/M)Σ y_i x_iᵀ, and T = ΣB_i
        double[] z = new double[nPar];
        for (int i = 0; i < bigM; i++)
            for (int p = 0; p < d; p++) z[model.label(i) * d + p] += alpha * x[i * d + p];
        for (int al = 0; al < nPar; al++)
            for (int be = 0; be < nPar; be++)
                out[al * nPar + be] += co.zSum() * z[al] * z[be] + co.t() * total[al] * total[be];
        double scale = 0.5 * Math.pow(eta, 4);
        for (int al = 0; al < nPar; al++)
            for (int be = al; be < nPar; be++) {
                double v = 0.5 * scale * (out[al * nPar + be] + out[be * nPar + al]);
                out[al * nPar + be] = v;
                out[be * nPar + al] = v;
            }
        return out;
    }

    /** The eigenbasis of Ĥ = I_K ⊗ ĥ from ĥ's: values h_k (each K times), vectors I_K ⊗ O. */
    public NessLinalg.Eigen hessianEigen() {
        NessLinalg.Eigen small = NessLinalg.eigh(NessLinalg.square(hHat, d));
        double[] values = new double[nPar];
        double[][] vectors = new double[nPar][nPar];
        for (int a = 0; a < k; a++)
            for (int j = 0; j < d; j++) {
                values[a * d + j] = small.values()[j];
                for (int p = 0; p < d; p++) vectors[a * d + p][a * d + j] = small.vectors()[p][j];
            }
        return new NessLinalg.Eigen(values, vectors);
    }

    /**
     * The WOR SGD stationary state in epoch time at θ̂₀: ĤΣ̂ + Σ̂Ĥ = 2η⁻¹D̂(θ̂₀) (Lyapunov, solved in Ĥ's eigenbasis)
     * and Ĉ = ½η(ĤΣ̂ − Σ̂Ĥ), as {@link WorTheory#sgd} with {@link WorTheory.Curvature#EFFECTIVE}.
     */
    public WorTheory.Stationary stationary() {
        double[] c = centre();
        double[] dHat = diffusion(c);
        NessLinalg.Eigen eig = hessianEigen();
        double[][] sigma = NessLinalg.solveInEigenbasis(eig, NessLinalg.scale(2 / eta, NessLinalg.square(dHat, nPar)), Double::sum);
        double[][] h = NessLinalg.square(hessian(), nPar);
        double[][] circ = NessLinalg.combine(0.5 * eta, Mat.multiply(h, sigma), -0.5 * eta, Mat.multiply(sigma, h));
        return new WorTheory.Stationary(c, NessExperiment.flat(h), dHat, NessExperiment.flat(sigma), NessExperiment.flat(circ));
    }

    /** A·B for row-major A (rows×inner) and B (inner×cols). */
    private static double[] multiply(double[] a, int rows, int inner, double[] b, int cols) {
        double[] out = new double[rows * cols];
        for (int i = 0; i < rows; i++)
            for (int t = 0; t < inner; t++) {
                double v = a[i * inner + t];
                if (v == 0) continue;
                for (int j = 0; j < cols; j++) out[i * cols + j] += v * b[t * cols + j];
            }
        return out;
    }

    private static void symmetrize(double[] a, int n) {
        for (int p = 0; p < n; p++)
            for (int q = p + 1; q < n; q++) {
                double v = 0.5 * (a[p * n + q] + a[q * n + p]);
                a[p * n + q] = v;
                a[q * n + p] = v;
            }
    }

    private void requireLength(double[] theta) {
        if (theta.length != nPar) throw new IllegalArgumentException("theta has length " + theta.length + ", expected " + nPar);
    }
}

package org.speedlimits.ness;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * WorTheory against the exact stationary law of the WOR chain. For quadratic ℓ_i one epoch is a random affine map
 * θ' = A_πθ + b_π (π the partition), so with every partition enumerated the chain's stationary mean μ = (I−Ā)⁻¹b̄ and
 * covariance (I − E[A⊗A]) vec Σ = vec(E[ddᵀ] + Langevin noise), d = A_πμ + b_π − μ, are exact; the SGWORLD correction
 * +η∇δL is affine too and is folded into A_π, b_π.
 */
class WorTheoryTest {

    /** The chain's exact stationary state; sgdPart = Σ − Σ_ref with Σ_ref the same chain without minibatch noise. */
    private record Chain(double[] mean, double[] cov, double[] sgdPart) {}

    private static Chain exactChain(NessModel model, int m, double eta, boolean sgworld, boolean corrected) {
        int nPar = model.parameters(), nn = nPar * nPar, n = model.examples() / m;
        double[] corrA = new double[nn], corrB = new double[nPar];
        if (sgworld && corrected) { // +η∇δL(θ), affine: exact unit-step differences
            Field f = new WorLandscape(model, m, eta).correctionField();
            double[] zero = new double[nPar], gp = new double[nPar], gm = new double[nPar];
            f.at(zero, corrB);
            for (int k = 0; k < nPar; k++) {
                double[] e = new double[nPar];
                e[k] = 1;
                f.at(e, gp);
                e[k] = -1;
                f.at(e, gm);
                for (int a = 0; a < nPar; a++) corrA[a * nPar + k] = eta * (gp[a] - gm[a]) / 2;
            }
            for (int a = 0; a < nPar; a++) corrB[a] *= eta;
        }
        List<double[]> as = new ArrayList<>(), bs = new ArrayList<>();
        WorFixtures.forEachPartition(m, model.examples(), batchOf -> {
            int[] idx = WorFixtures.order(batchOf, m);
            double[] b = new double[nPar];
            WorFixtures.epoch(model, m, eta, idx, b);
            double[] a = new double[nn];
            for (int k = 0; k < nPar; k++) {
                double[] t = new double[nPar];
                t[k] = 1;
                WorFixtures.epoch(model, m, eta, idx, t);
                for (int r = 0; r < nPar; r++) a[r * nPar + k] = t[r] - b[r] + corrA[r * nPar + k];
            }
            for (int r = 0; r < nPar; r++) b[r] += corrB[r];
            as.add(a);
            bs.add(b);
        });
        int cnt = as.size();
        double[] aBar = new double[nn], bBar = new double[nPar];
        for (int p = 0; p < cnt; p++) {
            for (int k = 0; k < nn; k++) aBar[k] += as.get(p)[k] / cnt;
            for (int k = 0; k < nPar; k++) bBar[k] += bs.get(p)[k] / cnt;
        }
        double[] iMinusA = new double[nn];
        for (int k = 0; k < nn; k++) iMinusA[k] = (k % (nPar + 1) == 0 ? 1 : 0) - aBar[k];
        double[] mu = WorFixtures.solve(iMinusA, bBar, nPar);
        double[] kron = new double[nn * nn], kronBar = new double[nn * nn], dd = new double[nn];
        for (int p = 0; p < cnt; p++) {
            double[] a = as.get(p), b = bs.get(p), d = new double[nPar];
            for (int r = 0; r < nPar; r++) {
                double s = b[r] - mu[r];
                for (int c = 0; c < nPar; c++) s += a[r * nPar + c] * mu[c];
                d[r] = s;
            }
            for (int r = 0; r < nPar; r++) for (int c = 0; c < nPar; c++) dd[r * nPar + c] += d[r] * d[c] / cnt;
            addKron(kron, a, a, nPar, 1.0 / cnt);
        }
        addKron(kronBar, aBar, aBar, nPar, 1);
        double[] q = dd.clone(), lang = new double[nn];
        if (sgworld) for (int a = 0; a < nPar; a++) lang[a * nPar + a] = 2 * eta * n;
        for (int k = 0; k < nn; k++) q[k] += lang[k];
        double[] cov = WorFixtures.solve(identityMinus(kron, nn), q, nn);
        // Σ_ref: same mean map, no minibatch randomness; Σ − Σ_ref solved directly (no cancellation)
        double[] ref = WorFixtures.solve(identityMinus(kronBar, nn), lang, nn);
        double[] src = dd.clone();
        for (int p = 0; p < cnt; p++) {
            double[] fl = new double[nn];
            for (int k = 0; k < nn; k++) fl[k] = as.get(p)[k] - aBar[k];
            double[] t = WorDiffusion.mulMat(WorDiffusion.mulMat(fl, ref, nPar), transpose(fl, nPar), nPar);
            for (int k = 0; k < nn; k++) src[k] += t[k] / cnt;
        }
        double[] sgdPart = WorFixtures.solve(identityMinus(kron, nn), src, nn);
        return new Chain(mu, cov, sgdPart);
    }

    private static void addKron(double[] out, double[] a, double[] b, int nPar, double w) {
        int nn = nPar * nPar;
        for (int al = 0; al < nPar; al++)
            for (int be = 0; be < nPar; be++)
                for (int g = 0; g < nPar; g++)
                    for (int dl = 0; dl < nPar; dl++)
                        out[(al * nPar + be) * nn + g * nPar + dl] += w * a[al * nPar + g] * b[be * nPar + dl];
    }

    private static double[] identityMinus(double[] k, int nn) {
        double[] out = new double[nn * nn];
        for (int r = 0; r < nn; r++) for (int c = 0; c < nn; c++) out[r * nn + c] = (r == c ? 1 : 0) - k[r * nn + c];
        return out;
    }

    private static double[] transpose(double[] a, int nPar) {
        double[] t = new double[nPar * nPar];
        for (int r = 0; r < nPar; r++) for (int c = 0; c < nPar; c++) t[c * nPar + r] = a[r * nPar + c];
        return t;
    }

    private static double dist(double[] u, double[] v) {
        return WorFixtures.maxAbsDiff(u, v);
    }

    /** KL(N(μ, H₀⁻¹+δ) ‖ N(θ₀, H₀⁻¹)) in bits (Eq. 46 plus the mean term), by the log series in X = H₀δ. */
    static double klBits(double[] h0, double[] shift, double[] meanShift, int nPar) {
        double[] x = WorDiffusion.mulMat(h0, shift, nPar), p = x.clone();
        double s = 0; // tr X − ln det(I+X) = Σ_{k≥2} (−1)^k tr(X^k)/k
        for (int k = 2; k <= 60; k++) {
            p = WorDiffusion.mulMat(p, x, nPar);
            double tr = 0;
            for (int a = 0; a < nPar; a++) tr += p[a * nPar + a];
            s += (k % 2 == 0 ? 1 : -1) * tr / k;
        }
        double mq = 0;
        for (int a = 0; a < nPar; a++) for (int b = 0; b < nPar; b++) mq += meanShift[a] * h0[a * nPar + b] * meanShift[b];
        return 0.5 * (s + mq) / Math.log(2);
    }

    @Test
    void lyapunovSolverIsExact() {
        double[] h = {3, 0, 0, 0, 1, 0, 0, 0, 0.5}, r = {1, 2, 3, 2, 5, 6, 3, 6, 9};
        double[] s = WorTheory.lyapunov(h, r, 3);
        double[] diag = {3, 1, 0.5};
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) assertEquals(r[a * 3 + b] / (diag[a] + diag[b]), s[a * 3 + b], 1e-14);
        double[] hs = new WorFixtures.Quadratic(4, 4, 0.1, 1, true).a[0];
        for (int k = 0; k < 16; k++) hs[k] += (k % 5 == 0 ? 1 : 0);
        double[] rr = new WorFixtures.Quadratic(4, 4, 0.1, 2, false).a[1];
        double[] sol = WorTheory.lyapunov(hs, rr, 4);
        double[] res = WorDiffusion.mulMat(hs, sol, 4), res2 = WorDiffusion.mulMat(sol, hs, 4);
        for (int k = 0; k < 16; k++) assertEquals(rr[k], res[k] + res2[k], 1e-12);
    }

    @Test
    void diffusionHessianMatchesDirectionalSecondDifferences() {
        // quadratic ℓ_i: D̂(θ) is exactly quadratic in θ, so any step gives the exact second directional derivative
        WorFixtures.Quadratic q = new WorFixtures.Quadratic(3, 8, 0.4, 5, true);
        WorFixtures.Tanh tanh = new WorFixtures.Tanh(12, 0.1, 6);
        Object[][] cases = {{q, 2, q.minimum(), 0.7}, {tanh, 3, new double[]{0.8, 1.1}, 0.0}};
        for (Object[] cs : cases) {
            NessModel model = (NessModel) cs[0];
            int m = (Integer) cs[1], nPar = model.parameters();
            double[] th = (double[]) cs[2];
            double bigStep = (Double) cs[3];
            WorTheory theory = new WorTheory(model, m, 0.01, th);
            WorDiffusion d = theory.diffusion();
            double[] tensor = theory.diffusionHessian(WorDiffusion.Form.FULL, th);
            for (long seed = 0; seed < 3; seed++) {
                double[] v = WorFixtures.randomPoint(nPar, 1.0, 90 + seed);
                double[] vv = new double[nPar * nPar];
                for (int a = 0; a < nPar; a++) for (int b = 0; b < nPar; b++) vv[a * nPar + b] = v[a] * v[b];
                double[] got = theory.contract(tensor, vv);
                double[] want;
                if (bigStep > 0) want = second(d, th, v, bigStep);
                else { // Richardson on two small steps: the O(s²) error cancels, O(s⁴) remains
                    double[] w1 = second(d, th, v, 4e-3), w2 = second(d, th, v, 2e-3); // D̂ varies on a ~0.2 scale
                    want = new double[w1.length];
                    for (int k = 0; k < want.length; k++) want[k] = (4 * w2[k] - w1[k]) / 3;
                }
                double rel = WorFixtures.relFrob(got, want);
                assertTrue(rel < 1e-6, model.getClass().getSimpleName() + ": 𝓗·vvᵀ rel " + rel);
            }
        }
    }

    private static double[] second(WorDiffusion d, double[] th, double[] v, double s) {
        double[] p = th.clone(), q = th.clone();
        for (int a = 0; a < th.length; a++) {
            p[a] += s * v[a];
            q[a] -= s * v[a];
        }
        double[] dp = d.full(p), dq = d.full(q), d0 = d.full(th), out = new double[d0.length];
        for (int k = 0; k < out.length; k++) out[k] = (dp[k] - 2 * d0[k] + dq[k]) / (s * s);
        return out;
    }

    @Test
    void worSgdStationaryStateMatchesTheExactChain() {
        WorFixtures.Quadratic q = new WorFixtures.Quadratic(3, 8, 0.5, 41, true);
        double[] theta0 = q.minimum();
        int m = 2;
        double eta = 4e-3;
        double[][] errs = new double[2][];
        for (int r = 0; r < 2; r++) {
            double e = eta / (1 << r);
            Chain chain = exactChain(q, m, e, false, false);
            WorTheory theory = new WorTheory(q, m, e, theta0);
            WorTheory.Stationary eff = theory.sgd(WorTheory.Curvature.EFFECTIVE);
            WorTheory.Stationary scaled = theory.sgd(WorTheory.Curvature.SCALED);
            WorTheory.Stationary printed = theory.sgd(WorTheory.Curvature.EFFECTIVE, WorDiffusion.Form.PRINTED);
            WorTheory.Stationary oneTerm = theory.sgd(WorTheory.Curvature.EFFECTIVE, WorDiffusion.Form.ONE_TERM);
            errs[r] = new double[]{WorFixtures.relFrob(eff.covariance(), chain.cov()),
                    WorFixtures.relFrob(scaled.covariance(), chain.cov()),
                    WorFixtures.relFrob(printed.covariance(), chain.cov()),
                    WorFixtures.relFrob(oneTerm.covariance(), chain.cov()),
                    dist(chain.mean(), eff.centre()), dist(chain.mean(), theta0)};
            System.out.printf("WOR SGD η=%.1e: Σ̂ rel err (∇²L̂) %.2e, (nH₀) %.2e, printed B18 %.2e, B21 %.2e;"
                            + " |μ−θ̂₀| %.2e, |μ−θ₀| %.2e%n", e, errs[r][0], errs[r][1], errs[r][2], errs[r][3],
                    errs[r][4], errs[r][5]);
            // C12: Ĉ = ηĤΣ̂ − D̂, antisymmetric
            double[] hs = WorDiffusion.mulMat(eff.hessian(), eff.covariance(), 3);
            for (int k = 0; k < 9; k++) {
                assertEquals(e * hs[k] - eff.diffusion()[k], eff.circulation()[k], 1e-9 * WorFixtures.maxAbs(eff.diffusion()));
                assertEquals(-eff.circulation()[(k % 3) * 3 + k / 3], eff.circulation()[k], 1e-20);
            }
        }
        double rEff = errs[0][0] / errs[1][0], rScaled = errs[0][1] / errs[1][1];
        assertTrue(rEff > 1.7 && rEff < 2.3, "Σ̂(∇²L̂) error O(η): ratio " + rEff);
        assertTrue(rScaled > 1.7 && rScaled < 2.3, "Σ̂(nH₀) error O(η): ratio " + rScaled);
        assertTrue(errs[1][0] < 0.03 && errs[1][1] < 0.03, "within 3% at the smaller η");
        assertTrue(errs[1][2] > 3 * errs[1][0] && errs[1][3] > 3 * errs[1][0], "printed B18 / B21 visibly worse");
        double rMean = errs[0][4] / errs[1][4], rMean0 = errs[0][5] / errs[1][5];
        assertTrue(rMean > 3.4 && rMean < 4.6, "chain mean − θ̂₀ = O(η²): ratio " + rMean);
        assertTrue(rMean0 > 1.8 && rMean0 < 2.2, "chain mean − θ₀ = O(η) (negative control): ratio " + rMean0);
    }

    @Test
    void sgworldDeviationFormEqualsTheDirectSolve() {
        WorFixtures.Tanh model = new WorFixtures.Tanh(12, 0.1, 7);
        double[] theta0 = WorFixtures.minimum(model, new double[]{0.8, 1.2});
        double eta = 0.05; // large enough that the direct solve resolves the shift
        WorTheory theory = new WorTheory(model, 3, eta, theta0);
        int n = theory.landscape().steps();
        for (boolean corrected : new boolean[]{true, false}) {
            WorTheory.Gaussian g = theory.sgworld(corrected);
            double[] at = corrected ? theta0 : theory.centre();
            double[] h = corrected ? scaledHessian(model, theta0, n) : theory.landscape().hessian(at);
            double[] d = theory.diffusion().full(at), rhs = new double[4];
            for (int k = 0; k < 4; k++) rhs[k] = 2 * (d[k] + (k % 3 == 0 ? eta * n : 0)) / eta;
            double[] tensor = theory.diffusionHessian(WorDiffusion.Form.FULL, at);
            double[] direct = WorTheory.solveSylvester(2, h, tensor, 1 / eta, 0, rhs); // Eq. 47 as printed
            double[] post = theory.posteriorCovariance(), viaShift = new double[4];
            for (int k = 0; k < 4; k++) viaShift[k] = direct[k] - post[k];
            assertTrue(WorFixtures.relFrob(g.covariance(), direct) < 1e-12, "covariance, corrected=" + corrected);
            assertTrue(WorFixtures.relFrob(g.covarianceShift(), viaShift) < 1e-6, "shift, corrected=" + corrected);
            assertTrue(WorFixtures.maxAbs(g.covarianceShift()) > 1e-9, "nonzero shift");
        }
        assertEquals(0, WorFixtures.maxAbs(theory.sgworld(true).centreShift()), 0.0);
    }

    private static double[] scaledHessian(NessModel model, double[] th, int n) {
        double[] h = new double[model.parameters() * model.parameters()];
        model.hessian(th, h);
        for (int k = 0; k < h.length; k++) h[k] *= n;
        return h;
    }

    @Test
    void sgworldMatchesTheExactChain() {
        // close per-example centres: D̂(θ₀) is small next to its curvature, so the 𝓗 term of Eq. 47 matters
        WorFixtures.Quadratic q = new WorFixtures.Quadratic(3, 8, 0.5, 41, true, 0.3);
        double[] theta0 = q.minimum();
        double[] h0 = new double[9];
        q.hessian(theta0, h0);
        int m = 2;
        double eta = 4e-3;
        double[][] r = new double[2][];
        for (int k = 0; k < 2; k++) {
            double e = eta / (1 << k);
            WorTheory theory = new WorTheory(q, m, e, theta0);
            Chain cc = exactChain(q, m, e, true, true), cu = exactChain(q, m, e, true, false);
            WorTheory.Gaussian gc = theory.sgworld(true), gu = theory.sgworld(false);
            WorTheory.Gaussian gcd = theory.sgworld(true, WorDiffusion.Form.FULL, true);
            WorTheory.Gaussian gud = theory.sgworld(false, WorDiffusion.Form.FULL, true);
            // the minibatch-noise part of the chain's covariance vs Eq. 47's shift, and without the 𝓗 term
            int n = theory.landscape().steps();
            double[] d = theory.diffusion().full(theta0), rhs = new double[9];
            for (int i = 0; i < 9; i++) rhs[i] = 2 * d[i] / e;
            double[] noH = WorTheory.lyapunov(scaledHessian(q, theta0, n), rhs, 3);
            double[] post = theory.posteriorCovariance();
            double[] chainShiftC = new double[9], chainShiftU = new double[9];
            for (int i = 0; i < 9; i++) {
                chainShiftC[i] = cc.cov()[i] - post[i];
                chainShiftU[i] = cu.cov()[i] - post[i];
            }
            double[] mc = new double[3], mu = new double[3];
            for (int a = 0; a < 3; a++) {
                mc[a] = cc.mean()[a] - theta0[a];
                mu[a] = cu.mean()[a] - theta0[a];
            }
            r[k] = new double[]{
                    WorFixtures.relFrob(gc.covarianceShift(), cc.sgdPart()), // 0
                    WorFixtures.relFrob(noH, cc.sgdPart()), // 1
                    WorFixtures.relFrob(gc.covariance(), cc.cov()), // 2
                    WorFixtures.relFrob(gcd.covarianceShift(), chainShiftC), // 3
                    WorFixtures.relFrob(gud.covarianceShift(), chainShiftU), // 4
                    WorFixtures.maxAbs(mc), dist(cu.mean(), gu.centre()), WorFixtures.maxAbs(mu), // 5 6 7
                    klBits(h0, gc.covarianceShift(), gc.centreShift(), 3), // 8
                    klBits(h0, gu.covarianceShift(), gu.centreShift(), 3), // 9
                    klBits(h0, chainShiftC, mc, 3), klBits(h0, chainShiftU, mu, 3), // 10 11
                    klBits(h0, gcd.covarianceShift(), gcd.centreShift(), 3)}; // 12
            System.out.printf("SGWORLD η=%.1e: SGD part of Σ vs Eq.47 shift rel %.2e (without 𝓗: %.2e); Σ rel %.2e;"
                            + " discrete form vs chain shift rel %.2e (uncorr. %.2e); |μ−θ₀| corr %.2e, |μ−θ̂₀| uncorr %.2e,"
                            + " |μ−θ₀| uncorr %.2e; KL bits: Eq.47 corr %.3e uncorr %.3e, chain corr %.3e uncorr %.3e,"
                            + " discrete corr %.3e%n", e, r[k][0], r[k][1], r[k][2], r[k][3], r[k][4], r[k][5], r[k][6],
                    r[k][7], r[k][8], r[k][9], r[k][10], r[k][11], r[k][12]);
        }
        assertTrue(r[1][0] < 0.03 && r[0][0] / r[1][0] > 1.7 && r[0][0] / r[1][0] < 2.3,
                "Eq. 47's shift = the chain's minibatch-noise part to O(η): " + r[0][0] + " → " + r[1][0]);
        assertTrue(r[1][1] > 3 * r[1][0], "the 𝓗 term matters (negative control): " + r[1][1]);
        assertTrue(r[1][3] < 0.05 && r[1][4] < 0.05, "the discrete form tracks the chain's full deviation");
        double rc = r[0][5] / r[1][5], ru = r[0][6] / r[1][6], ru0 = r[0][7] / r[1][7];
        assertTrue(rc > 3.4 && rc < 4.6, "corrected chain mean − θ₀ = O(η²): " + rc);
        assertTrue(ru > 3.4 && ru < 4.6, "uncorrected chain mean − θ̂₀ = O(η²): " + ru);
        assertTrue(ru0 > 1.8 && ru0 < 2.2, "uncorrected chain mean − θ₀ = O(η): " + ru0);
        double k47 = r[0][8] / r[1][8], kU = r[0][9] / r[1][9], kChain = r[0][10] / r[1][10];
        assertTrue(k47 > 50 && k47 < 80, "Eq. 47 corrected KL ∝ η⁶: ratio " + k47);
        assertTrue(kU > 3.4 && kU < 4.6, "uncorrected KL ∝ η²: ratio " + kU);
        assertTrue(kChain > 3.4 && kChain < 4.6, "the exact chain's KL ∝ η² (Euler bias): ratio " + kChain);
    }
}

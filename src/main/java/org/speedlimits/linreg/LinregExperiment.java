package org.speedlimits.linreg;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.speedlimits.ntk.SymmetricEigen;

/** Runs theory and simulation for a {@link LinregConfig} and collects the rows of the CSV / figure. */
public final class LinregExperiment {
    /**
     * One CSV row. panel: time | gamma | limit. source: theory_mp (d,n -> infinity), theory_sample (exact, the
     * simulated finite sample), sim (ensemble estimate, jackknife SE), paper_eq80 (paper Eq. 80 as printed).
     * Quantities: W2^2(p_0,p_t), eta beta^{-1} R(t), T_SL(t), t/T_SL(t); NaN where not applicable.
     */
    public record Row(String panel, String source, double noise, double gamma, int d, int n, double t,
                      double w2sq, double w2sqSe, double etaEntropy, double etaEntropySe,
                      double tsl, double tslSe, double inefficiency, double inefficiencySe) {
        static final String HEADER = "panel,source,noise,gamma,d,n,t,w2sq,w2sq_se,eta_entropy,eta_entropy_se,tsl,tsl_se,inefficiency,inefficiency_se";

        String csv() {
            return String.format(Locale.ROOT, "%s,%s,%s,%s,%d,%d,%s,%s,%s,%s,%s,%s,%s,%s,%s", panel, source, num(noise), num(gamma), d, n,
                    num(t), num(w2sq), num(w2sqSe), num(etaEntropy), num(etaEntropySe), num(tsl), num(tslSe), num(inefficiency), num(inefficiencySe));
        }

        static String num(double v) {
            if (Double.isNaN(v)) return "";
            if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
            return String.format(Locale.ROOT, "%.8g", v);
        }
    }

    public final LinregConfig cfg;
    public final List<Row> rows = new ArrayList<>();
    static final double NaN = Double.NaN;

    public LinregExperiment(LinregConfig cfg) {
        this.cfg = cfg;
    }

    static double[] logGrid(double lo, double hi, int n) {
        double[] g = new double[n];
        for (int i = 0; i < n; i++) g[i] = lo * Math.pow(hi / lo, (double) i / (n - 1));
        return g;
    }

    public LinregExperiment run() {
        double[] times = cfg.times.stream().mapToDouble(Double::doubleValue).toArray();
        // ---- panel "time": inefficiency vs t at gamma = cfg.gamma
        int n = cfg.n(cfg.gamma);
        double gEff = (double) cfg.d / n;
        LinregProblem prob = LinregProblem.generate(cfg.d, n, cfg.alpha, cfg.seed);
        SymmetricEigen.Eigenpairs eig = Mat.eigh(prob.k);
        double[] tGrid = logGrid(times[0] / 3, times[times.length - 1] * 3, 60);
        for (int q = 0; q < cfg.noise.size(); q++) {
            double tau = cfg.noise.get(q);
            LinregParams par = cfg.params(tau);
            LinregTheory th = new LinregTheory(prob, par, eig);
            LinregMpTheory mp = new LinregMpTheory(cfg.gamma, par);
            for (double t : tGrid) {
                rows.add(theoryRow("time", "theory_sample", tau, gEff, cfg.d, n, t, th.w2Squared(t, 0), th.etaEntropy(t, 0)));
                rows.add(theoryRow("time", "theory_mp", tau, cfg.gamma, 0, 0, t, mp.w2Squared(t), mp.etaEntropy(t)));
            }
            LinregSimulation.Ensemble ens = LinregSimulation.run(prob, par, cfg.replicas, cfg.dt, times, cfg.seed * 31 + q);
            for (int j = 1; j <= times.length; j++)
                rows.add(simRow("time", tau, gEff, cfg.d, n, LinregSimulation.estimate(prob, par, ens, j, cfg.jackknifeGroups)));
        }
        // ---- panels "gamma" (inefficiency at gammaTime) and "limit" (T_SL at t -> infinity)
        double gLo = Math.min(cfg.gamma, cfg.gammas.stream().mapToDouble(Double::doubleValue).min().orElseThrow()) / 2;
        double gHi = Math.max(cfg.gamma, cfg.gammas.stream().mapToDouble(Double::doubleValue).max().orElseThrow()) * 2;
        double[] gGrid = logGrid(gLo, gHi, 60);
        double inf = Double.POSITIVE_INFINITY;
        for (double tau : cfg.noise) {
            LinregParams par = cfg.params(tau);
            for (double g : gGrid) {
                LinregMpTheory mp = new LinregMpTheory(g, par);
                rows.add(theoryRow("gamma", "theory_mp", tau, g, 0, 0, cfg.gammaTime, mp.w2Squared(cfg.gammaTime), mp.etaEntropy(cfg.gammaTime)));
                rows.add(theoryRow("limit", "theory_mp", tau, g, 0, 0, inf, mp.w2Squared(inf), mp.etaEntropy(inf)));
                double p80 = mp.paperEq80();
                rows.add(new Row("limit", "paper_eq80", tau, g, 0, 0, inf, NaN, NaN, NaN, NaN, p80, NaN, 0, NaN));
            }
        }
        for (int k = 0; k < cfg.gammas.size(); k++) {
            double g = cfg.gammas.get(k);
            int ng = cfg.n(g);
            double ge = (double) cfg.d / ng;
            LinregProblem pg = LinregProblem.generate(cfg.d, ng, cfg.alpha, cfg.seed + 1000L * (k + 1));
            SymmetricEigen.Eigenpairs eg = Mat.eigh(pg.k);
            for (int q = 0; q < cfg.noise.size(); q++) {
                double tau = cfg.noise.get(q);
                LinregParams par = cfg.params(tau);
                LinregTheory th = new LinregTheory(pg, par, eg);
                rows.add(theoryRow("gamma", "theory_sample", tau, ge, cfg.d, ng, cfg.gammaTime, th.w2Squared(cfg.gammaTime, 0), th.etaEntropy(cfg.gammaTime, 0)));
                rows.add(theoryRow("limit", "theory_sample", tau, ge, cfg.d, ng, inf, th.w2Squared(inf, 0), th.etaEntropy(inf, 0)));
                LinregSimulation.Ensemble ens = LinregSimulation.run(pg, par, cfg.replicas, cfg.dt, new double[]{cfg.gammaTime},
                        cfg.seed * 131 + 7L * k + q);
                rows.add(simRow("gamma", tau, ge, cfg.d, ng, LinregSimulation.estimate(pg, par, ens, 1, cfg.jackknifeGroups)));
            }
        }
        return this;
    }

    static Row theoryRow(String panel, String src, double tau, double g, int d, int n, double t, double w2, double r) {
        double tsl = w2 / r;
        return new Row(panel, src, tau, g, d, n, t, w2, NaN, r, NaN, tsl, NaN, Double.isInfinite(t) ? inf() : t / tsl, NaN);
    }

    private static double inf() {
        return Double.POSITIVE_INFINITY;
    }

    static Row simRow(String panel, double tau, double g, int d, int n, LinregSimulation.Estimate e) {
        return new Row(panel, "sim", tau, g, d, n, e.t(), e.w2sq(), e.w2sqSe(), e.etaEntropy(), e.etaEntropySe(),
                e.speedLimit(), e.speedLimitSe(), e.inefficiency(), e.inefficiencySe());
    }

    public String csv() {
        StringBuilder sb = new StringBuilder(Row.HEADER).append('\n');
        for (Row r : rows) sb.append(r.csv()).append('\n');
        return sb.toString();
    }
}

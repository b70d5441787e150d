package org.speedlimits.ness;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.speedlimits.config.ConfigException;
import org.speedlimits.linreg.Mat;
import org.speedlimits.plot.FigureWriter;
import org.speedlimits.plot.Panel;
import org.speedlimits.plot.Scale;
import org.speedlimits.plot.Series;

/**
 * The {@code ness} command's work for one resolved {@link NessConfig}: the theory (always), and the stages the config
 * asks for, each writing its CSVs and figures into the output folder:
 * <ul>
 *   <li>{@code fig1c}: relative loss against step for WR and WOR SGD from random starts (paper 003 Fig. 1C);</li>
 *   <li>{@code stationary}: long chains of each dynamics around the minimum, estimating the mean, Σ, the area
 *       matrix (⟨A⟩/ℓ → C), the 2-D marginal and, for WR, the entropy production; Figs. 2, 3 and 4;</li>
 *   <li>{@code posterior}: Fig. 6, KL to the exact posterior for SGLD, SGWORLD and SGWORLD without the correction,
 *       theory curves and direct simulations with jackknife error bars.</li>
 * </ul>
 */
public final class NessExperiment {
    private final NessConfig cfg;
    private final NessModel model;
    private final PrintStream log;
    private final int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    private NessTheory theory;

    public NessExperiment(NessConfig cfg, PrintStream log) {
        this.cfg = cfg;
        this.log = log;
        this.model = model(cfg);
    }

    /** The configured model (MNIST: its data must be installed, see data-download.sh). */
    public static NessModel model(NessConfig cfg) {
        return switch (cfg.model.type) {
            case REGRESSION -> new TanhRegression(RegressionData.paper(cfg.model.dataSeed), cfg.model.lambda);
            case LINEARIZED -> new LinearizedRegression(RegressionData.paper(cfg.model.dataSeed), cfg.model.lambda);
            case MNIST -> {
                Path dir = Path.of(cfg.model.mnistDir);
                if (!Files.isDirectory(dir)) {
                    throw new ConfigException("model.mnist_dir = " + dir + " does not exist; install MNIST with ./data-download.sh "
                            + "(offline: MNIST_MIRROR=../shared/mnist-subset ./data-download.sh)");
                }
                yield MnistLinear.fromInstalled(dir, cfg.model.mnistExamples).withLambda(cfg.model.lambda);
            }
        };
    }

    /** Runs the theory and every configured stage, writing into {@code out} (an empty temporary folder). */
    public void run(Path out) throws IOException {
        long t0 = System.nanoTime();
        double[] start = Minimum.paperStart(model.parameters(), cfg.seed);
        theory = theoryAt(cfg.sgd.eta, start);
        write(out.resolve("theory.csv"), theory.summaryRows());
        writeMatrix(out.resolve("theory_sigma_wr.csv"), theory.wr.sigma());
        writeMatrix(out.resolve("theory_circulation_wr.csv"), theory.wr.circulation());
        if (theory.wor != null) {
            writeMatrix(out.resolve("theory_sigma_wor.csv"), NessLinalg.square(theory.wor.covariance(), model.parameters()));
            writeMatrix(out.resolve("theory_circulation_wor.csv"), NessLinalg.square(theory.wor.circulation(), model.parameters()));
        }
        log.printf(Locale.ROOT, "ness: theory done (θ₀ after %d Newton iterations, |∇L|∞ = %.2e) at %.1f s%n",
                theory.minimum.iterations(), theory.minimum.gradientNorm(), seconds(t0));
        Path figures = out.resolve("figures");
        if (cfg.stages.contains(NessConfig.Stage.FIG1C)) {
            fig1c(figures);
            log.printf(Locale.ROOT, "ness: fig1c done at %.1f s%n", seconds(t0));
        }
        if (cfg.stages.contains(NessConfig.Stage.STATIONARY)) {
            stationary(out, figures);
            log.printf(Locale.ROOT, "ness: stationary done at %.1f s%n", seconds(t0));
        }
        if (cfg.stages.contains(NessConfig.Stage.POSTERIOR)) {
            posterior(figures);
            log.printf(Locale.ROOT, "ness: posterior done at %.1f s%n", seconds(t0));
        }
    }

    private NessTheory theoryAt(double eta, double[] start) {
        if (model instanceof MnistLinear m) {
            // θ₀ in closed form; the WOR theory (structured, MnistWorTheory) only where a WOR chain needs it
            boolean wor = cfg.stages.contains(NessConfig.Stage.STATIONARY) && cfg.stationary.dynamics.contains(NessConfig.DynamicsKind.SGD_WOR);
            return NessTheory.at(model, m.minimum(), eta, cfg.sgd.batch, cfg.sgd.zeta, wor);
        }
        return NessTheory.of(model, start, eta, cfg.sgd.batch, cfg.sgd.zeta, true);
    }

    // ---------------------------------------------------------------- Fig. 1C

    private void fig1c(Path figures) {
        int n = cfg.stepsPerEpoch();
        long steps = cfg.fig1c.steps;
        List<Series> series = new ArrayList<>();
        for (NessConfig.DynamicsKind kind : List.of(NessConfig.DynamicsKind.SGD_WR, NessConfig.DynamicsKind.SGD_WOR)) {
            Sampler s = sampler(kind, cfg.sgd.eta);
            int per = s.stepsPerUnit();
            long units = Math.max(1, steps / per);
            long[] at = spacedUnits(units, cfg.fig1c.points);
            LossCurve[] curves = new LossCurve[cfg.fig1c.runs];
            Ensemble e = new Ensemble(s, cfg.fig1c.runs, cfg.seed * 1_000_003L + kind.ordinal(),
                    k -> Minimum.paperStart(model.parameters(), 1_000_000L * (cfg.seed + 1) + k), 1,
                    k -> new Observer[]{curves[k] = new LossCurve(model, theory.minimum.loss(), at)});
            e.run(units, threads);
            double[][] pooled = LossCurve.pool(curves);
            double[] x = Arrays.stream(at).mapToDouble(u -> u * (double) per).toArray();
            series.add(new Series(kind == NessConfig.DynamicsKind.SGD_WR ? "WR" : "WOR (m = " + cfg.sgd.batch + ")",
                    x, pooled[0], pooled[1], Series.Look.LINE));
        }
        List<Panel> panels = new ArrayList<>();
        if (cfg.model.type != NessConfig.ModelType.MNIST) panels.add(dataPanel());
        panels.add(new Panel("fig1_loss", String.format(Locale.ROOT,
                "Fig. 1C: %d runs, η = %s, n = %d", cfg.fig1c.runs, fmt(cfg.sgd.eta), n), "SGD step", "L(θ)/L(θ₀) − 1 (mean over runs)",
                Scale.LINEAR, Scale.LOG, series));
        writeFigure(figures, "fig1", panels);
    }

    /** Each panel as {@code <panel name>.png/.svg/.pdf/.csv} and all of them in one row as {@code <figure>.*}. */
    private static void writeFigure(Path dir, String figure, List<Panel> panels) {
        new FigureWriter(dir).panelsAndGrid(figure, panels.size(), panels);
    }

    /** Fig. 1A: the data set of Sec. 4.1 and the network's output at the minimum θ₀. */
    private Panel dataPanel() {
        RegressionData d = RegressionData.paper(cfg.model.dataSeed);
        double[] gx = new double[301], gf = new double[301];
        for (int i = 0; i <= 300; i++) {
            gx[i] = -3 + 6.0 * i / 300;
            gf[i] = model instanceof TanhRegression ? TanhRegression.output(theory.theta0, gx[i]) : dot(theory.theta0, LinearizedRegression.features(gx[i]));
        }
        return new Panel("fig1_data", "Fig. 1A: data (M = " + d.size() + ") and f(x; θ₀)", "x", "y", Scale.LINEAR, Scale.LINEAR, List.of(
                new Series("data y_i = exp(−x_i²) + noise", d.x(), d.y(), null, Series.Look.MARKERS),
                new Series("f(x; θ₀)", gx, gf, null, Series.Look.LINE)));
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    /** {@code points} evenly spaced unit counts in [1, units] (the paper's linear step axis). */
    static long[] spacedUnits(long units, int points) {
        TreeSet<Long> s = new TreeSet<>();
        for (int i = 0; i < points; i++) s.add(Math.max(1, Math.round((double) units * i / (points - 1))));
        return s.stream().mapToLong(Long::longValue).toArray();
    }

    // ---------------------------------------------------------------- stationary: Figs. 2-4

    /** The result of one dynamics' stationary chains, pooled over chains. */
    record Stationary(NessConfig.DynamicsKind kind, double[] centre, double[][] sigmaTheory, double[][] circulationTheory,
                      double[] mean, double[] meanSE, double[][] sigma, double[][] sigmaSE, double[][] area, double[][] areaSE,
                      double[] modeVariance, double[] modeVarianceSE,
                      PlaneHistogram[] planes, EntropyProduction[] entropy, EntropyProduction[] lengths, long samples) {}

    private void stationary(Path out, Path figures) throws IOException {
        int nPar = model.parameters();
        int a = cfg.stationary.plane.get(0) - 1, b = cfg.stationary.plane.get(1) - 1;
        double[][] wrSigma = theory.wr.sigma();
        double sa = Math.sqrt(wrSigma[a][a]), sb = Math.sqrt(wrSigma[b][b]);
        Map<NessConfig.DynamicsKind, Stationary> results = new LinkedHashMap<>();
        for (NessConfig.DynamicsKind kind : cfg.stationary.dynamics) {
            results.put(kind, stationaryRun(kind, a, b, sa, sb));
            log.printf(Locale.ROOT, "ness: stationary %s: %d samples per chain%n", NessConfig.yaml(kind), results.get(kind).samples());
        }
        List<String> rows = new ArrayList<>();
        rows.add("dynamics,quantity,i,j,simulation,se,theory");
        for (Stationary r : results.values()) {
            String name = NessConfig.yaml(r.kind());
            for (int i = 0; i < nPar; i++) {
                rows.add(String.join(",", name, "mean_minus_theta0", "" + (i + 1), "", num(r.mean()[i] - theory.theta0[i]), num(r.meanSE()[i]),
                        num(r.centre()[i] - theory.theta0[i])));
                for (int j = i; j < nPar; j++) {
                    rows.add(String.join(",", name, "sigma", "" + (i + 1), "" + (j + 1), num(r.sigma()[i][j]), num(r.sigmaSE()[i][j]),
                            num(r.sigmaTheory()[i][j])));
                    if (j > i) rows.add(String.join(",", name, "circulation", "" + (i + 1), "" + (j + 1), num(r.area()[i][j]),
                            num(r.areaSE()[i][j]), num(r.circulationTheory()[i][j])));
                }
            }
        }
        write(out.resolve("stationary.csv"), rows);
        write(out.resolve("stationary_summary.csv"), summary(results));
        write(out.resolve("stationary_modes.csv"), modes(results));
        fig2(figures, results, a, b, sa, sb);
        fig3(figures, results);
        Stationary wr = results.get(NessConfig.DynamicsKind.SGD_WR);
        if (wr != null && wr.entropy() != null) fig4(out, figures, wr);
    }

    /**
     * stationary_summary.csv: {@link StationaryComparison}'s numbers per dynamics against the theory its Fig. 3
     * panel uses, the centre distances, and for WOR also against the Stein equation of the epoch map
     * ĤΣ + ΣĤ − ηĤΣĤ = 2η⁻¹D̂ (the O(ηnh) discreteness that App. B's continuum Lyapunov relation drops).
     */
    private List<String> summary(Map<NessConfig.DynamicsKind, Stationary> results) {
        List<String> rows = new ArrayList<>();
        rows.add("dynamics,theory,metric,value");
        for (Stationary r : results.values()) {
            String name = NessConfig.yaml(r.kind());
            String th = switch (r.kind()) {
                case SGD_WOR -> "app_b";
                case EARTHQUAKE -> "discrete";
                default -> "eq23_discrete";
            };
            StationaryComparison.of(r.sigma(), r.sigmaSE(), r.sigmaTheory(), r.area(), r.circulationTheory())
                    .forEach((k, v) -> rows.add(String.join(",", name, th, k, num(v))));
            rows.add(String.join(",", name, th, "mean_minus_centre_norm", num(distance(r.mean(), r.centre()))));
            rows.add(String.join(",", name, th, "centre_minus_theta0_norm", num(distance(r.centre(), theory.theta0))));
            if (r.kind() == NessConfig.DynamicsKind.SGD_WOR) {
                int nPar = model.parameters();
                double eta = cfg.sgd.eta;
                double[][] stein = NessLinalg.solveInEigenbasis(NessLinalg.eigh(NessLinalg.square(theory.wor.hessian(), nPar)),
                        NessLinalg.scale(2, NessLinalg.square(theory.wor.diffusion(), nPar)), (x, y) -> eta * (x + y) - eta * eta * x * y);
                rows.add(String.join(",", name, "app_b_epoch_discrete", "theory_rel_frobenius_vs_app_b",
                        num(NessTheory.relDiff(stein, r.sigmaTheory()))));
                StationaryComparison.of(r.sigma(), r.sigmaSE(), stein, r.area(), new double[nPar][nPar])
                        .forEach((k, v) -> rows.add(String.join(",", name, "app_b_epoch_discrete", k, num(v))));
            }
        }
        return rows;
    }

    /**
     * stationary_modes.csv: the variance along each eigenvector u_k of H₀ (descending h_k), simulated (batch-means
     * SE) and theory u_kᵀΣu_k: where a Σ comparison entry by entry mixes modes of very different size and speed,
     * this separates them (e.g. the relaxation of the soft modes from the O(ηnh) truncation of the stiff ones).
     */
    private List<String> modes(Map<NessConfig.DynamicsKind, Stationary> results) {
        NessLinalg.Eigen eig = NessLinalg.eigh(theory.wr.h0());
        double[][] dirs = directions(theory.wr.h0());
        List<String> rows = new ArrayList<>();
        rows.add("dynamics,mode,h0_eigenvalue,simulation,se,theory");
        for (Stationary r : results.values()) {
            for (int k = 0; k < dirs.length; k++) {
                double[] u = dirs[k];
                double t = Mat.dot(u, Mat.multiply(r.sigmaTheory(), u));
                rows.add(String.join(",", NessConfig.yaml(r.kind()), "" + (k + 1), num(eig.values()[k]), num(r.modeVariance()[k]),
                        num(r.modeVarianceSE()[k]), num(t)));
            }
        }
        return rows;
    }

    private static double distance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return Math.sqrt(s);
    }

    private Stationary stationaryRun(NessConfig.DynamicsKind kind, int a, int b, double sa, double sb) {
        int nPar = model.parameters();
        Sampler s = sampler(kind, cfg.sgd.eta);
        int per = s.stepsPerUnit();
        double[] centre;
        double[][] sigmaT, circT;
        switch (kind) {
            case SGD_WOR -> {
                centre = theory.wor.centre();
                sigmaT = NessLinalg.square(theory.wor.covariance(), nPar);
                circT = NessLinalg.square(theory.wor.circulation(), nPar);
            }
            case EARTHQUAKE -> {
                centre = theory.theta0;
                sigmaT = theory.quakeSigmaDiscrete;
                circT = new double[nPar][nPar];
            }
            default -> {
                centre = theory.theta0;
                sigmaT = theory.wr.sigmaDiscrete();
                circT = theory.wr.circulation();
            }
        }
        long units = Math.max(cfg.stationary.batches, cfg.stationary.steps / per);
        long burn = cfg.stationary.burnIn / per;
        int chains = cfg.stationary.chains;
        long seed = cfg.seed * 7_919L + 101 + kind.ordinal();
        // burn-in chains, whose end points start the measured chains (fresh random streams)
        Ensemble warm = new Ensemble(s, chains, seed, k -> centre, 1, k -> new Observer[0]);
        if (burn > 0) warm.run(burn, threads);
        int every = cfg.stationary.sampleEvery;
        int batchLen = (int) Math.max(1, units / every / cfg.stationary.batches);
        double[][] dirs = directions(theory.wr.h0());
        double[] sd = {Math.sqrt(sigmaT[a][a]) / sa, Math.sqrt(sigmaT[b][b]) / sb};
        double[] c = {(centre[a] - theory.theta0[a]) / sa, (centre[b] - theory.theta0[b]) / sb};
        double hx0 = Math.min(c[0] - 4.5 * sd[0], -0.5 * sd[0]), hx1 = Math.max(c[0] + 4.5 * sd[0], 0.5 * sd[0]);
        double hy0 = Math.min(c[1] - 4.5 * sd[1], -0.5 * sd[1]), hy1 = Math.max(c[1] + 4.5 * sd[1], 0.5 * sd[1]);
        Moments[] moments = new Moments[chains];
        AreaMatrix[] areas = new AreaMatrix[chains];
        PlaneHistogram[] planes = new PlaneHistogram[chains];
        // σ needs D₀⁻¹; MNIST's D₀ is singular (a pixel blank in every digit gives zero rows), so no σ there
        boolean wr = kind == NessConfig.DynamicsKind.SGD_WR && !(model instanceof MnistLinear);
        EntropyProduction[] entropy = wr ? new EntropyProduction[chains] : null, lengths = wr ? new EntropyProduction[chains] : null;
        Ensemble e = new Ensemble(s, chains, seed + 1_000_000_007L, k -> warm.chain(k).theta(), 1, k -> {
            List<Observer> obs = new ArrayList<>();
            obs.add(new Thinned(moments[k] = Moments.aboutMean(nPar, batchLen, dirs), every));
            obs.add(areas[k] = AreaMatrix.aboutCentre(centre, batchLen * every));
            obs.add(new Thinned(planes[k] = new PlaneHistogram(a, b, theory.theta0, sa, sb, hx0, hx1, hy0, hy1, cfg.stationary.bins), every));
            if (wr) {
                obs.add(entropy[k] = entropyObserver(units, cfg.stationary.windows));
                obs.add(lengths[k] = entropyObserver(units, cfg.stationary.sigmaLengths));
            }
            return obs.toArray(new Observer[0]);
        });
        e.run(units, threads);
        double[] mean = new double[nPar], meanSE = new double[nPar], modeVar = new double[nPar], modeSE = new double[nPar];
        double[][] sig = new double[nPar][nPar], sigSE = new double[nPar][nPar], area = new double[nPar][nPar], areaSE = new double[nPar][nPar];
        for (int k = 0; k < chains; k++) {
            double[] m = moments[k].mean(), mse = moments[k].meanSE(), cov = moments[k].covariance(), cse = moments[k].covarianceSE();
            double[] ar = areas[k].perStep(), ase = areas[k].perStepSE();
            double[] dv = moments[k].directionVariances(), dse = moments[k].directionVariancesSE();
            for (int i = 0; i < nPar; i++) {
                mean[i] += m[i] / chains;
                meanSE[i] += mse[i] * mse[i];
                modeVar[i] += dv[i] / chains;
                modeSE[i] += dse[i] * dse[i];
                for (int j = 0; j < nPar; j++) {
                    sig[i][j] += cov[i * nPar + j] / chains;
                    sigSE[i][j] += cse[i * nPar + j] * cse[i * nPar + j];
                    area[i][j] += ar[i * nPar + j] / chains;
                    areaSE[i][j] += ase[i * nPar + j] * ase[i * nPar + j];
                }
            }
        }
        for (int i = 0; i < nPar; i++) {
            meanSE[i] = Math.sqrt(meanSE[i]) / chains;
            modeSE[i] = Math.sqrt(modeSE[i]) / chains;
            for (int j = 0; j < nPar; j++) {
                sigSE[i][j] = Math.sqrt(sigSE[i][j]) / chains;
                areaSE[i][j] = Math.sqrt(areaSE[i][j]) / chains;
            }
        }
        return new Stationary(kind, centre, sigmaT, circT, mean, meanSE, sig, sigSE, area, areaSE, modeVar, modeSE, planes, entropy,
                lengths, units);
    }

    /** H₀'s eigenvectors (rows): the directions whose variances are reported with SEs. */
    private static double[][] directions(double[][] h0) {
        NessLinalg.Eigen eig = NessLinalg.eigh(h0);
        int n = h0.length;
        double[][] u = new double[n][n];
        for (int k = 0; k < n; k++) for (int i = 0; i < n; i++) u[k][i] = eig.vectors()[i][k];
        return u;
    }

    /** Eq. 27's σ over windows of the given lengths; the histograms span ±12 sd of the longest (σ ≈ N(ℓr, 2ℓr)). */
    private EntropyProduction entropyObserver(long units, List<Integer> lengthList) {
        int[] windows = lengthList.stream().mapToInt(Integer::intValue).sorted().distinct().toArray();
        int nPar = model.parameters();
        double rate = theory.wr.entropyProductionPerStep();
        int longest = windows[windows.length - 1];
        double range = 12 * Math.sqrt(2 * rate * longest) + 4 * rate * longest;
        long windowsPerChain = Math.max(1, units / (cfg.stationary.thin + longest));
        int perBatch = (int) Math.max(1, windowsPerChain / cfg.stationary.batches);
        return new EntropyProduction(flat(theory.wr.velocityMatrix()), flat(theory.wr.diffusionInverse()), theory.theta0, windows,
                cfg.stationary.thin, perBatch, range, 80, Math.exp(range), 80);
    }

    private void fig2(Path figures, Map<NessConfig.DynamicsKind, Stationary> results, int a, int b, double sa, double sb) {
        List<StationaryMapFigure.Panel> panels = new ArrayList<>();
        char label = 'A';
        for (Stationary r : results.values()) {
            double[][] scale = {{1 / sa, 0}, {0, 1 / sb}};
            double[][] s2 = marginal(r.sigmaTheory(), a, b, scale);
            double[][] c2 = marginal(r.circulationTheory(), a, b, scale);
            double[][] boltz = boltzmannMarginal(a, b, scale, s2);
            double[][] k = null;
            if (NessLinalg.maxAbs(c2) > 0) k = NessLinalg.scale(-1, org.speedlimits.linreg.Mat.multiply(c2, NessLinalg.inverse(s2)));
            double[] cen = {(r.centre()[a] - theory.theta0[a]) / sa, (r.centre()[b] - theory.theta0[b]) / sb};
            PlaneHistogram first = r.planes()[0];
            double[][] dens = first.density(Arrays.copyOfRange(r.planes(), 1, r.planes().length));
            panels.add(new StationaryMapFigure.Panel((label++) + ") " + title(r.kind()), first.xEdges(), first.yEdges(), dens, cen, s2, boltz, k,
                    r.kind() == NessConfig.DynamicsKind.SGD_WOR ? cen : null));
        }
        int pa = a + 1, pb = b + 1;
        StationaryMapFigure.write(figures, "fig2", "δθ" + pa + " / Θ" + pa, "δθ" + pb + " / Θ" + pb, panels);
    }

    /**
     * The Boltzmann contours of Fig. 2: the (a, b) marginal of exp(−β𝓛) near θ₀, covariance (βH₀)⁻¹, with β chosen so
     * that its marginal has the same area (determinant) as the theory's stationary marginal (the paper does not say
     * how its gold contours are scaled).
     */
    private double[][] boltzmannMarginal(int a, int b, double[][] scale, double[][] stationary2) {
        double[][] hinv = NessLinalg.inverse(theory.wr.h0());
        double[][] m = marginal(hinv, a, b, scale);
        double f = Math.sqrt(det(stationary2) / det(m));
        return NessLinalg.scale(f, m);
    }

    private void fig3(Path figures, Map<NessConfig.DynamicsKind, Stationary> results) {
        List<Panel> panels = new ArrayList<>();
        for (boolean sigma : new boolean[]{true, false}) {
            List<Series> series = new ArrayList<>();
            double lo = Double.POSITIVE_INFINITY, hi = 0;
            for (Stationary r : results.values()) {
                if (!sigma && r.kind() == NessConfig.DynamicsKind.EARTHQUAKE) continue; // C = 0 there: nothing on log axes
                int n = model.parameters();
                List<double[]> pos = new ArrayList<>(), neg = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    for (int j = sigma ? i : i + 1; j < n; j++) {
                        double t = sigma ? r.sigmaTheory()[i][j] : r.circulationTheory()[i][j];
                        double v = sigma ? r.sigma()[i][j] : r.area()[i][j];
                        double e = sigma ? r.sigmaSE()[i][j] : r.areaSE()[i][j];
                        (t >= 0 ? pos : neg).add(new double[]{Math.abs(t), t >= 0 ? v : -v, e});
                        lo = Math.min(lo, Math.abs(t));
                        hi = Math.max(hi, Math.abs(t));
                    }
                }
                for (List<double[]> l : List.of(pos, neg)) {
                    if (l.isEmpty()) continue;
                    series.add(new Series(title(r.kind()) + (l == pos ? " (theory > 0)" : " (theory < 0, sign flipped)"),
                            l.stream().mapToDouble(p -> p[0]).toArray(), l.stream().mapToDouble(p -> p[1]).toArray(),
                            l.stream().mapToDouble(p -> p[2]).toArray(), Series.Look.MARKERS));
                }
            }
            if (hi > 0) series.add(Series.reference("simulation = theory", new double[]{lo, hi}, new double[]{lo, hi}));
            panels.add(new Panel(sigma ? "fig3_sigma" : "fig3_circulation",
                    sigma ? "Fig. 3: Σ entries (i ≤ j)" : "Fig. 3: C entries (i < j), WR per step, WOR per epoch",
                    sigma ? "|Σ_ij| theory" : "|C_ij| theory", sigma ? "Σ_ij simulation (× sign of theory)" : "⟨A_ij⟩/ℓ simulation (× sign of theory)",
                    Scale.LOG, Scale.LOG, series));
        }
        writeFigure(figures, "fig3", panels);
    }

    private void fig4(Path out, Path figures, Stationary wr) throws IOException {
        double rate = theory.wr.entropyProductionPerStep();
        List<Series> exp = new ArrayList<>(), ratio = new ArrayList<>();
        List<String> rows = new ArrayList<>();
        rows.add("length,windows,mean_sigma,mean_sigma_se,theory_mean_sigma_eq29,mean_exp_minus_sigma,mean_exp_se,dft_slope,dft_slope_se");
        double[][] lengthStats = null;
        for (EntropyProduction[] ep : List.of(wr.entropy(), wr.lengths())) {
            int[] ls = ep[0].windows();
            double[][] stats = new double[3][ls.length];
            for (int w = 0; w < ls.length; w++) {
                double s = 0, se2 = 0, x = 0, xse2 = 0;
                long windows = 0;
                for (EntropyProduction e : ep) {
                    EntropyProduction.Summary sum = e.summary(w);
                    s += sum.meanSigma() / ep.length;
                    se2 += sum.meanSigmaSE() * sum.meanSigmaSE();
                    x += sum.meanExp() / ep.length;
                    xse2 += sum.meanExpSE() * sum.meanExpSE();
                    windows += sum.windows();
                }
                Histogram sh = pooled(ep, w, true);
                EntropyProduction.Dft dft = EntropyProduction.dft(sh, 10);
                stats[0][w] = ls[w];
                stats[1][w] = s;
                stats[2][w] = Math.sqrt(se2) / ep.length;
                rows.add(String.join(",", "" + ls[w], "" + windows, num(s), num(stats[2][w]), num(rate * ls[w]), num(x),
                        num(Math.sqrt(xse2) / ep.length), num(dft.slope()), num(dft.slopeSE())));
                if (ep == wr.entropy()) {
                    exp.add(density(pooled(ep, w, false), "ℓ = " + ls[w]));
                    ratio.add(ratioSeries(sh, "ℓ = " + ls[w]));
                }
            }
            if (ep == wr.lengths()) lengthStats = stats;
        }
        write(out.resolve("entropy.csv"), rows);
        double xmax = 0;
        for (Series r : ratio) for (double v : r.x()) xmax = Math.max(xmax, v);
        double[] gx = new double[41], gy = new double[41];
        for (int i = 0; i <= 40; i++) {
            gx[i] = xmax * i / 40;
            gy[i] = Math.exp(-gx[i]);
        }
        ratio.add(new Series("DFT: e^−σ", gx, gy, null, Series.Look.DASHED));
        double[] ls = lengthStats[0];
        List<Series> mean = List.of(new Series("simulation", ls, lengthStats[1], lengthStats[2], Series.Look.MARKERS),
                new Series("Eq. 29: ℓ·(−tr C D⁻¹ C Σ⁻¹)", ls, Arrays.stream(ls).map(l -> l * rate).toArray(), null, Series.Look.LINE));
        writeFigure(figures, "fig4", List.of(
                new Panel("fig4_a", "Fig. 4A: P(e^−σ) (IFT: mean 1)", "e^−σ", "probability density", Scale.LINEAR, Scale.LINEAR, exp),
                new Panel("fig4_b", "Fig. 4B: P(−σ)/P(σ)", "σ", "P(−σ)/P(σ)", Scale.LINEAR, Scale.LOG, ratio),
                new Panel("fig4_c", "Fig. 4C: ⟨σ⟩ against ℓ (WR)", "sub-trajectory length ℓ (steps)", "⟨σ⟩", Scale.LOG, Scale.LOG, mean)));
    }

    /** One histogram with the counts of every chain's (a new one: the chains' own stay as they are). */
    private static Histogram pooled(EntropyProduction[] ep, int w, boolean sigma) {
        Histogram first = sigma ? ep[0].sigmaHistogram(w) : ep[0].expHistogram(w);
        Histogram h = new Histogram(first.edge(0), first.edge(first.bins()), first.bins());
        for (EntropyProduction e : ep) h.addAll(sigma ? e.sigmaHistogram(w) : e.expHistogram(w));
        return h;
    }

    private static Series density(Histogram h, String label) {
        long total = h.below() + h.above();
        for (long c : h.counts()) total += c;
        List<double[]> p = new ArrayList<>();
        for (int i = 0; i < h.bins(); i++) if (h.count(i) > 0) p.add(new double[]{h.centre(i), h.count(i) / (total * h.width())});
        return new Series(label, p.stream().mapToDouble(q -> q[0]).toArray(), p.stream().mapToDouble(q -> q[1]).toArray(), null,
                Series.Look.LINE);
    }

    private static Series ratioSeries(Histogram h, String label) {
        int bins = h.bins();
        List<double[]> p = new ArrayList<>();
        for (int i = bins / 2; i < bins; i++) {
            long np = h.count(i), nm = h.count(bins - 1 - i);
            if (np < 10 || nm < 1) continue;
            double r = (double) nm / np;
            p.add(new double[]{h.centre(i), r, r * Math.sqrt(1.0 / np + 1.0 / nm)});
        }
        return new Series(label, p.stream().mapToDouble(q -> q[0]).toArray(), p.stream().mapToDouble(q -> q[1]).toArray(),
                p.stream().mapToDouble(q -> q[2]).toArray(), Series.Look.MARKERS);
    }

    // ---------------------------------------------------------------- Fig. 6

    private void posterior(Path figures) throws IOException {
        double[] theta0 = theory.theta0;
        int m = cfg.sgd.batch, n = cfg.stepsPerEpoch();
        List<PosteriorTheory.Point> curve = new ArrayList<>();
        for (double eta : cfg.posterior.etas) {
            try {
                curve.addAll(PosteriorTheory.curves(model, theta0, m, List.of(eta)));
            } catch (IllegalArgumentException | IllegalStateException e) {
                log.printf(Locale.ROOT, "ness: posterior theory at η = %s skipped: %s%n", fmt(eta), e.getMessage());
            }
        }
        double[][] post = PosteriorTheory.posterior(model, theta0);
        double hMax = NessLinalg.eigh(StationaryState.hessian(model, theta0)).values()[0];
        java.util.Map<PosteriorTheory.Sampler, Double> simSlopes = new java.util.EnumMap<>(PosteriorTheory.Sampler.class);
        List<String> rows = new ArrayList<>();
        rows.add("sampler,eta,kl_simulation_bits,kl_se,kl_theory_continuum,kl_theory_discrete,chains,epochs_per_chain");
        List<Series> series = new ArrayList<>();
        for (PosteriorTheory.Sampler s : PosteriorTheory.Sampler.values()) {
            List<PosteriorTheory.Point> pts = curve.stream().filter(p -> p.sampler() == s).toList();
            int colour = s.ordinal();
            series.add(new Series(label(s) + ", Fokker–Planck (paper)", pts.stream().mapToDouble(PosteriorTheory.Point::eta).toArray(),
                    pts.stream().mapToDouble(PosteriorTheory.Point::klContinuum).toArray(), null, Series.Look.LINE, colour));
            List<PosteriorTheory.Point> disc = pts.stream().filter(p -> p.klDiscrete() > 0 && Double.isFinite(p.klDiscrete())
                    && p.eta() * n * hMax < 1).toList();
            series.add(new Series(label(s) + ", discrete-time theory", disc.stream().mapToDouble(PosteriorTheory.Point::eta).toArray(),
                    disc.stream().mapToDouble(PosteriorTheory.Point::klDiscrete).toArray(), null, Series.Look.DASHED, colour));
            int k = cfg.posterior.simEtas.size();
            double[] x = new double[k], y = new double[k], err = new double[k];
            for (int i = 0; i < k; i++) {
                double eta = cfg.posterior.simEtas.get(i);
                double[] kl = simulateKl(s, eta, post);
                x[i] = eta;
                y[i] = kl[0];
                err[i] = kl[1];
                PosteriorTheory.Point th = PosteriorTheory.point(model, theta0, m, eta, s, post);
                rows.add(String.join(",", NessConfig.yaml(s), num(eta), num(kl[0]), num(kl[1]), num(th.klContinuum()),
                        num(th.klDiscrete()), "" + cfg.posterior.chains, "" + cfg.posterior.epochs));
                log.printf(Locale.ROOT, "ness: posterior %s η = %s: KL = %.4g ± %.2g bits%n", NessConfig.yaml(s), fmt(eta), kl[0], kl[1]);
            }
            simSlopes.put(s, k > 0 ? PosteriorTheory.slope(x, y) : Double.NaN);
            if (k > 0) series.add(new Series(label(s) + ", simulation (slope " + fmt(simSlopes.get(s)) + ")", x, y, err,
                    Series.Look.MARKERS, colour));
        }
        List<String> slopes = new ArrayList<>();
        slopes.add("sampler,slope_continuum,slope_discrete,slope_simulation,eta_range_theory,eta_range_simulation");
        for (PosteriorTheory.Sampler s : PosteriorTheory.Sampler.values()) {
            List<PosteriorTheory.Point> pts = curve.stream().filter(p -> p.sampler() == s && p.eta() <= maxSimEta()).toList();
            double[] e = pts.stream().mapToDouble(PosteriorTheory.Point::eta).toArray();
            slopes.add(String.join(",", NessConfig.yaml(s), num(PosteriorTheory.slope(e, pts.stream().mapToDouble(PosteriorTheory.Point::klContinuum).toArray())),
                    num(PosteriorTheory.slope(e, pts.stream().mapToDouble(PosteriorTheory.Point::klDiscrete).toArray())), num(simSlopes.get(s)),
                    e.length == 0 ? "" : fmt(e[0]) + "-" + fmt(e[e.length - 1]), cfg.posterior.simEtas.isEmpty() ? "" : fmt(cfg.posterior.simEtas.get(0)) + "-" + fmt(maxSimEta())));
        }
        write(figures.resolve("fig6_simulation.csv"), rows);
        write(figures.resolve("fig6_slopes.csv"), slopes);
        writeFigure(figures, "fig6", List.of(new Panel("fig6_kl", "Fig. 6: KL(P_s ‖ posterior), linearised model, m = " + m,
                "learning rate η", "KL divergence (bits)", Scale.LOG, Scale.LOG, series)));
    }

    private double maxSimEta() {
        return cfg.posterior.simEtas.stream().mapToDouble(Double::doubleValue).max().orElse(Double.POSITIVE_INFINITY);
    }

    /**
     * KL (bits) of the sampler's simulated stationary Gaussian to the posterior, pooled over chains, with the
     * delete-one-chain jackknife: bias-corrected estimate and its standard error.
     */
    private double[] simulateKl(PosteriorTheory.Sampler kind, double eta, double[][] post) {
        int nPar = model.parameters(), m = cfg.sgd.batch, n = cfg.stepsPerEpoch();
        Sampler s = sampler(switch (kind) {
            case SGLD -> NessConfig.DynamicsKind.SGLD;
            case SGWORLD -> NessConfig.DynamicsKind.SGWORLD;
            case SGWORLD_UNCORRECTED -> NessConfig.DynamicsKind.SGWORLD_UNCORRECTED;
        }, eta);
        int per = s.stepsPerUnit();
        long units = cfg.posterior.epochs * n / per, burn = cfg.posterior.burnIn * n / per;
        int chains = cfg.posterior.chains;
        long seed = cfg.seed * 31_337L + kind.ordinal() * 1_000L + Math.round(-Math.log(eta) * 100);
        Ensemble warm = new Ensemble(s, chains, seed, k -> theory.theta0, 1, k -> new Observer[0]);
        warm.run(burn, threads);
        Moments[] mom = new Moments[chains];
        int batchLen = (int) Math.max(1, units / cfg.posterior.batches);
        Ensemble e = new Ensemble(s, chains, seed + 17, k -> warm.chain(k).theta(), 1,
                k -> new Observer[]{mom[k] = Moments.aboutMean(nPar, batchLen)});
        e.run(units, threads);
        double all = klPooled(mom, -1, post);
        double[] loo = new double[chains];
        double mean = 0;
        for (int k = 0; k < chains; k++) {
            loo[k] = klPooled(mom, k, post);
            mean += loo[k] / chains;
        }
        double var = 0;
        for (double v : loo) var += (v - mean) * (v - mean);
        return new double[]{chains * all - (chains - 1) * mean, Math.sqrt((chains - 1.0) / chains * var)};
    }

    /** KL of the Gaussian fitted to all chains but {@code skip} (pooled mean and covariance, equal chain lengths). */
    private double klPooled(Moments[] mom, int skip, double[][] post) {
        int nPar = model.parameters();
        double[] mu = new double[nPar];
        double[][] cov = new double[nPar][nPar];
        int used = 0;
        for (int k = 0; k < mom.length; k++) {
            if (k == skip) continue;
            used++;
            for (int i = 0; i < nPar; i++) mu[i] += mom[k].mean()[i];
        }
        for (int i = 0; i < nPar; i++) mu[i] /= used;
        for (int k = 0; k < mom.length; k++) {
            if (k == skip) continue;
            double[] mk = mom[k].mean(), ck = mom[k].covariance();
            for (int i = 0; i < nPar; i++) {
                for (int j = 0; j < nPar; j++) cov[i][j] += (ck[i * nPar + j] + (mk[i] - mu[i]) * (mk[j] - mu[j])) / used;
            }
        }
        return GaussianKl.bits(mu, cov, theory.theta0, post);
    }

    // ---------------------------------------------------------------- helpers

    private Sampler sampler(NessConfig.DynamicsKind kind, double eta) {
        int m = cfg.sgd.batch;
        return switch (kind) {
            case SGD_WR -> new WrSgd(model, eta, m);
            case SGD_WOR -> new WorSgd(model, eta, m);
            case SGLD -> new Sgld(model, eta, m);
            case SGWORLD -> SgWorld.corrected(model, eta, m, new WorLandscape(model, m, eta).correctionField());
            case SGWORLD_UNCORRECTED -> SgWorld.uncorrected(model, eta, m);
            case EARTHQUAKE -> new Earthquake(model, eta, cfg.sgd.zeta);
        };
    }

    private static String title(NessConfig.DynamicsKind k) {
        return switch (k) {
            case SGD_WR -> "WR";
            case SGD_WOR -> "WOR (per epoch)";
            case EARTHQUAKE -> "earthquake";
            case SGLD -> "SGLD";
            case SGWORLD -> "SGWORLD";
            case SGWORLD_UNCORRECTED -> "SGWORLD, no correction";
        };
    }

    private static String label(PosteriorTheory.Sampler s) {
        return switch (s) {
            case SGLD -> "SGLD";
            case SGWORLD -> "SGWORLD";
            case SGWORLD_UNCORRECTED -> "SGWORLD without correction";
        };
    }

    /** The (a, b) block of M in plot units: S M S with S = diag(1/Θ_a, 1/Θ_b). */
    static double[][] marginal(double[][] mat, int a, int b, double[][] s) {
        return new double[][]{{mat[a][a] * s[0][0] * s[0][0], mat[a][b] * s[0][0] * s[1][1]},
                {mat[b][a] * s[1][1] * s[0][0], mat[b][b] * s[1][1] * s[1][1]}};
    }

    static double det(double[][] m) {
        return m[0][0] * m[1][1] - m[0][1] * m[1][0];
    }

    static double[] flat(double[][] a) {
        int n = a.length;
        double[] out = new double[n * n];
        for (int i = 0; i < n; i++) System.arraycopy(a[i], 0, out, i * n, n);
        return out;
    }

    static void writeMatrix(Path file, double[][] m) throws IOException {
        List<String> rows = new ArrayList<>();
        for (double[] r : m) rows.add(String.join(",", Arrays.stream(r).mapToObj(NessExperiment::num).toList()));
        write(file, rows);
    }

    static void write(Path file, List<String> rows) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, String.join("\n", rows) + "\n", StandardCharsets.UTF_8);
    }

    static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.10g", v);
    }

    /** Three significant digits; scientific (1e-07 → "1e-7") outside [1e-3, 1e5). */
    static String fmt(double v) {
        if (v == 0 || !Double.isFinite(v)) return String.valueOf(v);
        if (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5) {
            String[] p = String.format(Locale.ROOT, "%.2e", v).split("e");
            return new java.math.BigDecimal(p[0]).stripTrailingZeros().toPlainString() + "e" + Integer.parseInt(p[1]);
        }
        return new java.math.BigDecimal(String.format(Locale.ROOT, "%.3g", v)).stripTrailingZeros().toPlainString();
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}

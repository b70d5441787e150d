package org.speedlimits.ness;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Every theory number the {@code ness} figures need, for one configured model at one (η, m): the minimum θ₀ (Newton),
 * H₀, the WR stationary state (Σ of Eq. 21/23 and its discrete-time counterpart, C of Eq. 25, ⟨σ⟩/ℓ of Eq. 29),
 * the WOR one in epoch time (θ̂₀, Σ̂ from the corrected App. B D̂, Ĉ) and the earthquake model's Σ (Eqs. 31–34).
 */
public final class NessTheory {
    public final NessModel model;
    public final double eta;
    public final int batch;
    public final double zeta;
    public final Minimum.Result minimum;
    public final double[] theta0;
    public final StationaryState wr;
    /** Null when the WOR theory is not computed (see {@link #of}). */
    public final WorTheory.Stationary wor;
    public final double[][] quakeSigma, quakeSigmaDiscrete;

    private NessTheory(NessModel model, double eta, int batch, double zeta, Minimum.Result minimum, StationaryState wr,
                       WorTheory.Stationary wor, double[][] quakeSigma, double[][] quakeSigmaDiscrete) {
        this.model = model;
        this.eta = eta;
        this.batch = batch;
        this.zeta = zeta;
        this.minimum = minimum;
        this.theta0 = minimum.theta();
        this.wr = wr;
        this.wor = wor;
        this.quakeSigma = quakeSigma;
        this.quakeSigmaDiscrete = quakeSigmaDiscrete;
    }

    /**
     * The theory around the minimum Newton finds from {@code start}. {@code withWor}: also the WOR state
     * ({@link #worState}).
     */
    public static NessTheory of(NessModel model, double[] start, double eta, int batch, double zeta, boolean withWor) {
        Minimum.Result found = Minimum.find(model, start);
        // report the canonical copy of Eq. 30's symmetric minima (the same loss, gradient and curvature up to relabelling)
        Minimum.Result min = model instanceof TanhRegression
                ? new Minimum.Result(TanhRegression.canonical(found.theta()), found.iterations(), found.gradientNorm(), found.loss()) : found;
        return around(model, min, eta, batch, zeta, withWor);
    }

    private static NessTheory around(NessModel model, Minimum.Result min, double eta, int batch, double zeta, boolean withWor) {
        double[] theta0 = min.theta();
        StationaryState wr = StationaryState.wr(model, theta0, eta, batch);
        WorTheory.Stationary wor = withWor ? worState(model, batch, eta, theta0) : null;
        double[][] h0 = wr.h0();
        return new NessTheory(model, eta, batch, zeta, min, wr, wor, EarthquakeTheory.sigma(h0, eta, zeta),
                EarthquakeTheory.sigmaDiscrete(h0, eta, zeta));
    }

    /**
     * The WOR SGD stationary state (App. B, Ĥ = ∇²L̂): in structured closed form for the linear MNIST model
     * ({@link MnistWorTheory}; the general path is O(M N³) there), else by {@link WorTheory}.
     */
    static WorTheory.Stationary worState(NessModel model, int batch, double eta, double[] theta0) {
        if (model instanceof MnistLinear linear) return new MnistWorTheory(linear, batch, eta).stationary();
        return new WorTheory(model, batch, eta, theta0).sgd(WorTheory.Curvature.EFFECTIVE);
    }

    /** The theory around a known minimum θ₀ (e.g. a closed form), checked: ‖∇𝓛(θ₀)‖∞ must be ≤ 1e-8 relative. */
    public static NessTheory at(NessModel model, double[] theta0, double eta, int batch, double zeta, boolean withWor) {
        double[] g = new double[theta0.length], g0 = new double[theta0.length];
        model.gradient(theta0, g);
        model.gradient(new double[theta0.length], g0);
        double norm = 0, scale = 0;
        for (int a = 0; a < g.length; a++) {
            norm = Math.max(norm, Math.abs(g[a]));
            scale = Math.max(scale, Math.abs(g0[a]));
        }
        if (!(norm <= 1e-8 * Math.max(1, scale))) {
            throw new IllegalArgumentException("the given θ₀ is not a minimum: |∇L|∞ = " + norm + " (|∇L(0)|∞ = " + scale + ")");
        }
        return around(model, new Minimum.Result(theta0.clone(), 0, norm, model.loss(theta0)), eta, batch, zeta, withWor);
    }

    /** n = M/m. */
    public int stepsPerEpoch() {
        return model.examples() / batch;
    }

    /** key,value lines of the scalar results (theory.csv). */
    public List<String> summaryRows() {
        List<String> rows = new ArrayList<>();
        rows.add("key,value");
        rows.add("N," + model.parameters());
        rows.add("M," + model.examples());
        rows.add("eta," + num(eta));
        rows.add("batch_m," + batch);
        rows.add("steps_per_epoch_n," + stepsPerEpoch());
        rows.add("lambda," + num(model.lambda()));
        rows.add("loss_at_theta0," + num(minimum.loss()));
        rows.add("gradient_norm_at_theta0," + num(minimum.gradientNorm()));
        rows.add("newton_iterations," + minimum.iterations());
        for (int a = 0; a < theta0.length; a++) rows.add("theta0_" + (a + 1) + "," + num(theta0[a]));
        double[] h = wr.hessianEigenvalues();
        for (int a = 0; a < h.length; a++) rows.add("hessian_eigenvalue_" + (a + 1) + "," + num(h[a]));
        rows.add("entropy_production_per_step_eq29," + num(entropyRate()));
        rows.add("sigma_discrete_vs_continuum_rel_frobenius," + num(relDiff(wr.sigmaDiscrete(), wr.sigma())));
        if (wor != null) {
            for (int a = 0; a < theta0.length; a++) rows.add("wor_centre_" + (a + 1) + "," + num(wor.centre()[a]));
            double shift = 0;
            for (int a = 0; a < theta0.length; a++) shift += Math.pow(wor.centre()[a] - theta0[a], 2);
            rows.add("wor_centre_shift_norm," + num(Math.sqrt(shift)));
            rows.add("wor_over_wr_sigma_trace," + num(org.speedlimits.linreg.Mat.trace(NessLinalg.square(wor.covariance(), theta0.length)) / org.speedlimits.linreg.Mat.trace(wr.sigma())));
        }
        rows.add("earthquake_zeta," + num(zeta));
        return rows;
    }

    /** Eq. 29, or NaN where D₀ is singular (MNIST: parameters of a pixel blank in every digit never move). */
    public double entropyRate() {
        try {
            return wr.entropyProductionPerStep();
        } catch (ArithmeticException e) {
            return Double.NaN;
        }
    }

    static double relDiff(double[][] a, double[][] b) {
        return NessLinalg.frobenius(NessLinalg.combine(1, a, -1, b)) / NessLinalg.frobenius(b);
    }

    static String num(double v) {
        return String.format(Locale.ROOT, "%.12g", v);
    }
}

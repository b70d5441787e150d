package org.speedlimits.ness;

import java.util.ArrayList;
import java.util.List;

/**
 * Paper 003's Fig. 6 theory: the KL divergence (bits) from each sampler's stationary Gaussian to the exact posterior
 * N(θ₀, H₀⁻¹) of the linearised regression network (Eqs. 41–43), against η. Each sampler twice: the Fokker–Planck
 * continuum result the paper plots (SGLD: Eq. 44; SGWORLD with and without the WOR correction: Eq. 47) and the
 * exact stationary covariance of the discrete update (the same equations with the −η²HΣH term of one Euler step:
 * one SGD step for SGLD, one epoch for SGWORLD), which is what a simulation samples.
 */
public final class PosteriorTheory {
    private PosteriorTheory() {}

    /** The samplers of Fig. 6. */
    public enum Sampler { SGLD, SGWORLD, SGWORLD_UNCORRECTED }

    /** KL at one η: continuum (Eq. 44/47) and discrete-time. */
    public record Point(Sampler sampler, double eta, double klContinuum, double klDiscrete) {}

    /** The stationary Gaussian of {@code sampler} at η (centre, covariance), continuum or discrete. */
    public static double[][][] gaussian(NessModel model, double[] theta0, int batch, double eta, Sampler sampler, boolean discrete) {
        int n = model.parameters();
        if (sampler == Sampler.SGLD) {
            return new double[][][]{{theta0.clone()}, SgldTheory.sigma(model, theta0, eta, batch, discrete)};
        }
        WorTheory.Gaussian g = new WorTheory(model, batch, eta, theta0).sgworld(sampler == Sampler.SGWORLD, WorDiffusion.Form.FULL, discrete);
        return new double[][][]{{g.centre()}, NessLinalg.square(g.covariance(), n)};
    }

    /** KL(P_s ‖ posterior) in bits for every sampler and η. */
    public static List<Point> curves(NessModel model, double[] theta0, int batch, List<Double> etas) {
        double[][] post = posterior(model, theta0);
        List<Point> out = new ArrayList<>();
        for (Sampler s : Sampler.values()) {
            for (double eta : etas) out.add(point(model, theta0, batch, eta, s, post));
        }
        return out;
    }

    /** The exact posterior's covariance H₀⁻¹. */
    public static double[][] posterior(NessModel model, double[] theta0) {
        return NessLinalg.inverse(StationaryState.hessian(model, theta0));
    }

    /** KL(P_s ‖ N(θ₀, post)) of one sampler at one η, continuum and discrete. */
    public static Point point(NessModel model, double[] theta0, int batch, double eta, Sampler s, double[][] post) {
        double[][][] c = gaussian(model, theta0, batch, eta, s, false);
        double[][][] d = gaussian(model, theta0, batch, eta, s, true);
        return new Point(s, eta, GaussianKl.bits(c[0][0], c[1], theta0, post), GaussianKl.bits(d[0][0], d[1], theta0, post));
    }

    /** Least-squares slope of log KL against log η over the given points (positive KLs only). */
    public static double slope(double[] eta, double[] kl) {
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        int k = 0;
        for (int i = 0; i < eta.length; i++) {
            if (!(kl[i] > 0) || !(eta[i] > 0)) continue;
            double x = Math.log(eta[i]), y = Math.log(kl[i]);
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
            k++;
        }
        if (k < 2) return Double.NaN;
        return (k * sxy - sx * sy) / (k * sxx - sx * sx);
    }
}

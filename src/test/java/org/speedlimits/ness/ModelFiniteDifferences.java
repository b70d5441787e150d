package org.speedlimits.ness;

/** Central finite differences of a {@link NessModel}, and the relative errors the model tests assert on. */
final class ModelFiniteDifferences {
    private ModelFiniteDifferences() {}

    /** (ℓ_i(θ+he_a) − ℓ_i(θ−he_a))/(2h), or of 𝓛 when i < 0. */
    static double[] gradient(NessModel model, double[] theta, int i, double h) {
        int n = model.parameters();
        double[] g = new double[n];
        for (int a = 0; a < n; a++) {
            double[] p = theta.clone(), q = theta.clone();
            p[a] += h;
            q[a] -= h;
            g[a] = (value(model, p, i) - value(model, q, i)) / (2 * h);
        }
        return g;
    }

    /** Column b = (∇ℓ_i(θ+he_b) − ∇ℓ_i(θ−he_b))/(2h) of the analytic gradient (of 𝓛 when i < 0), row-major. */
    static double[] hessian(NessModel model, double[] theta, int i, double h) {
        int n = model.parameters();
        double[] out = new double[n * n], gp = new double[n], gq = new double[n];
        for (int b = 0; b < n; b++) {
            double[] p = theta.clone(), q = theta.clone();
            p[b] += h;
            q[b] -= h;
            grad(model, p, i, gp);
            grad(model, q, i, gq);
            for (int a = 0; a < n; a++) out[a * n + b] = (gp[a] - gq[a]) / (2 * h);
        }
        return out;
    }

    static double value(NessModel model, double[] theta, int i) {
        return i < 0 ? model.loss(theta) : model.exampleLoss(theta, i);
    }

    static void grad(NessModel model, double[] theta, int i, double[] out) {
        if (i < 0) model.gradient(theta, out);
        else model.exampleGradient(theta, i, out);
    }

    /** ‖a − b‖₂ / ‖b‖₂. */
    static double relativeError(double[] a, double[] b) {
        double d = 0, s = 0;
        for (int k = 0; k < a.length; k++) {
            d += (a[k] - b[k]) * (a[k] - b[k]);
            s += b[k] * b[k];
        }
        return Math.sqrt(d / s);
    }

    /** The same model with none of its overrides of the interface's default methods (for comparing them). */
    static NessModel defaultsOnly(NessModel m) {
        return new NessModel() {
            public int parameters() { return m.parameters(); }
            public int examples() { return m.examples(); }
            public double lambda() { return m.lambda(); }
            public double exampleLoss(double[] t, int i) { return m.exampleLoss(t, i); }
            public void exampleGradient(double[] t, int i, double[] out) { m.exampleGradient(t, i, out); }
            public void exampleHessian(double[] t, int i, double[] out) { m.exampleHessian(t, i, out); }
        };
    }
}

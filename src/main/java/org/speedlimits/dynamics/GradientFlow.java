package org.speedlimits.dynamics;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.speedlimits.engine.Evaluation;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Gradient flow d theta/dt = -S grad L(theta), integrated by {@link Rkc} with error control (train.rtol, train.atol)
 * and landing exactly on every row time.
 *
 * <p>Precision: the integrator's stage combinations are accumulated in float64; the engine sees theta rounded to
 * its dtype, and each accepted state is rounded to that dtype too, so the state is exactly the network's theta
 * (and the checkpoint's): a resumed run continues bit-identically.
 *
 * <p>Path length: each accepted step from y_n to y_{n+1} adds the arc length of the cubic Hermite interpolant through
 * (y_n, F_n) and (y_{n+1}, F_{n+1}) (values the method has already computed), by 3-point Gauss quadrature of its
 * speed, in the parameterisation's metric; at least the chord |y_{n+1} - y_n|, which keeps
 * l_gamma >= sum of chords >= |theta_t - theta_0| on every row, as the exact path length is. (The trapezoid rule
 * of the speed, used before, overestimated l_gamma where the speed falls fast, early in training.)
 */
public final class GradientFlow implements Dynamics {
    private final double rtol;
    private final double atol;
    private Rkc rkc;
    private Field field;
    private Map<String, Double> pending = Map.of();
    private double pathLength;

    public GradientFlow(double rtol, double atol) {
        this.rtol = rtol;
        this.atol = atol;
    }

    @Override
    public String name() {
        return "flow";
    }

    @Override
    public Evaluation advance(Objective objective, double from, double to, Evaluation atFrom) {
        INDArray theta = objective.theta();
        if (field == null || field.objective != objective) {
            Map<String, Double> carried = rkc == null ? pending : rkc.state();
            field = new Field(objective);
            rkc = new Rkc(field, rtol, atol, field.single ? 6.0e-8 : 1.1e-16);
            if (carried.containsKey("rkc.hProposal")) {
                rkc.restore(carried);
            }
        }
        double[] y = theta.toDoubleVector();
        double[] f = new double[y.length];
        field.velocity(atFrom, f);
        double[] w = field.metric;
        rkc.advance(from, to, y, f, (tOld, h, yOld, fOld, yNew, fNew) -> pathLength += stepLength(h, yOld, fOld, yNew, fNew, w));
        return field.evaluationAt(y);
    }

    /** Gauss-Legendre nodes and weights on [0, 1] (3 points: exact for polynomials of degree 5). */
    private static final double[] GAUSS_S = {0.5 - Math.sqrt(0.15), 0.5, 0.5 + Math.sqrt(0.15)};
    private static final double[] GAUSS_W = {5.0 / 18, 8.0 / 18, 5.0 / 18};

    /**
     * The length of one accepted step: max(chord, arc length of the cubic Hermite interpolant through (y_n, F_n) and
     * (y_{n+1}, F_{n+1}) by 3-point Gauss quadrature of its speed), in the metric with weights w (null: 1).
     */
    static double stepLength(double h, double[] yOld, double[] fOld, double[] yNew, double[] fNew, double[] w) {
        double chord = 0;
        double[] speed2 = new double[GAUSS_S.length];
        double[][] c = new double[GAUSS_S.length][3];
        for (int k = 0; k < GAUSS_S.length; k++) {
            double s = GAUSS_S[k];
            c[k][0] = 6 * s * (1 - s) / h; // d/dt of the Hermite basis: (y1 - y0), F0, F1
            c[k][1] = 3 * s * s - 4 * s + 1;
            c[k][2] = 3 * s * s - 2 * s;
        }
        for (int i = 0; i < yNew.length; i++) {
            double wi = w == null ? 1 : w[i];
            double d = yNew[i] - yOld[i];
            chord += wi * d * d;
            for (int k = 0; k < GAUSS_S.length; k++) {
                double v = c[k][0] * d + c[k][1] * fOld[i] + c[k][2] * fNew[i];
                speed2[k] += wi * v * v;
            }
        }
        double arc = 0;
        for (int k = 0; k < GAUSS_S.length; k++) {
            arc += GAUSS_W[k] * Math.sqrt(speed2[k]);
        }
        return Math.max(Math.sqrt(chord), h * arc);
    }

    @Override
    public long steps() {
        return rkc == null ? pending.getOrDefault("rkc.acceptedSteps", 0.0).longValue() : rkc.acceptedSteps();
    }

    @Override
    public double pathLength() {
        return pathLength;
    }

    @Override
    public String summary() {
        if (rkc == null) {
            return "flow: no step taken";
        }
        return String.format(java.util.Locale.ROOT, "flow (RKC): %d accepted and %d rejected steps, %d stages in all, "
                        + "%d gradient evaluations of which %d for spectral-radius estimates; last step %.4g with %d stages, "
                        + "spectral radius %.5g", rkc.acceptedSteps(), rkc.rejectedSteps(), rkc.totalStages(),
                rkc.evaluations(), rkc.spectralEvaluations(), rkc.proposedStep(), rkc.lastStages(), rkc.lastSpectralRadius());
    }

    @Override
    public List<String> columns() {
        return List.of("rejected", "stages", "spectral_radius", "step_size");
    }

    @Override
    public double[] values() {
        if (rkc == null) { // before the first step of this process: the restored state's values, NaN on a fresh start
            return new double[]{pending.getOrDefault("rkc.rejectedSteps", 0.0), known(pending.get("rkc.lastStages")),
                    known(pending.get("rkc.rho")), known(pending.get("rkc.hProposal"))};
        }
        return new double[]{rkc.rejectedSteps(), rkc.lastStages(), rkc.lastSpectralRadius(), rkc.proposedStep()};
    }

    /** Rkc stores "not known yet" as -1. */
    private static double known(Double v) {
        return v == null || v < 0 ? Double.NaN : v;
    }

    @Override
    public Map<String, Double> state() {
        Map<String, Double> state = new HashMap<>(rkc == null ? pending : rkc.state());
        state.put(PATH_LENGTH, pathLength);
        return state;
    }

    @Override
    public void restore(Map<String, Double> state) {
        pathLength = state.getOrDefault(PATH_LENGTH, 0.0);
        pending = Map.copyOf(state);
        if (rkc != null && state.containsKey("rkc.hProposal")) {
            rkc.restore(state);
        }
    }

    /** F(theta) = -S grad L(theta) through the objective; remembers the last evaluation and where it was made. */
    private static final class Field implements VectorField {
        final Objective objective;
        private final INDArray theta;
        final boolean single;
        private final double[] lrScale;
        final double[] metric;
        private Evaluation last;
        private double[] lastAt;

        Field(Objective objective) {
            this.objective = objective;
            this.theta = objective.theta();
            this.single = theta.dataType() == DataType.FLOAT;
            INDArray s = objective.parameterization().lrScale();
            this.lrScale = s == null ? null : s.toDoubleVector();
            this.metric = objective.parameterization().metricWeights();
        }

        @Override
        public int dimension() {
            return (int) theta.length();
        }

        @Override
        public void evaluate(double[] y, double[] f) {
            write(y);
            last = objective.evaluate();
            lastAt = y.clone();
            velocity(last, f);
        }

        void velocity(Evaluation e, double[] f) {
            double[] g = e.gradient().toDoubleVector();
            for (int i = 0; i < f.length; i++) {
                f[i] = -(lrScale == null ? g[i] : lrScale[i] * g[i]);
            }
        }

        @Override
        public void round(double[] y) {
            if (single) {
                for (int i = 0; i < y.length; i++) {
                    y[i] = (float) y[i];
                }
            }
        }

        /** The network holds y; its evaluation, reused where the integrator's last call was at y. */
        Evaluation evaluationAt(double[] y) {
            write(y);
            if (last != null && java.util.Arrays.equals(lastAt, y)) {
                return last;
            }
            last = objective.evaluate();
            lastAt = y.clone();
            return last;
        }

        private void write(double[] y) {
            INDArray values;
            if (single) {
                float[] v = new float[y.length];
                for (int i = 0; i < y.length; i++) {
                    v[i] = (float) y[i];
                }
                values = Nd4j.createFromArray(v);
            } else {
                values = Nd4j.createFromArray(y);
            }
            theta.assign(values.reshape(theta.shape()));
        }
    }
}

package org.speedlimits.hooks;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.speedlimits.train.EpochContext;
import org.speedlimits.train.EpochSchedule;
import org.speedlimits.train.Measure;

import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Closeness to gradient flow: the top eigenvalue lambda_max of the Hessian of L, in the trained coordinates
 * (S^{1/2} H S^{1/2}, the operator that governs GD's stability), by power iteration with Hessian-vector products
 * from central differences of the full-batch gradient. GD tracks gradient flow while lr * lambda_max << 1 and
 * diverges beyond 2; a warning is logged above {@code hooks.lambda_max_warn}. Column {@code lambda_max} (empty on
 * epochs not scheduled). theta is restored bit-exactly afterwards, so measuring does not change the trajectory.
 */
public final class LambdaMax implements Measure {
    private static final Logger LOG = LoggerFactory.getLogger(LambdaMax.class);
    public static final String COLUMN = "lambda_max";

    private final EpochSchedule schedule;
    private final int iterations;
    private final double warnAbove;
    private final long seed;
    private final Supplier<INDArray> gradient;

    /**
     * @param gradient computes grad L at the network's current parameters (the trainer's full-batch gradient)
     */
    public LambdaMax(EpochSchedule schedule, int iterations, double warnAbove, long seed, Supplier<INDArray> gradient) {
        this.schedule = schedule;
        this.iterations = iterations;
        this.warnAbove = warnAbove;
        this.seed = seed;
        this.gradient = gradient;
    }

    @Override
    public List<String> columns() {
        return List.of(COLUMN);
    }

    @Override
    public double[] measure(EpochContext c) {
        if (!schedule.contains(c.epoch())) {
            return new double[]{Double.NaN};
        }
        double lambda = estimate(c.theta(), c.network().parameterization().lrScale(), iterations, seed + c.epoch(), gradient);
        if (c.flow()) { // no step size to compare with: the integrator sizes its own steps
            LOG.info(String.format(Locale.ROOT, "t = %.6g: lambda_max(Hessian) = %.5g", c.record().time(), lambda));
            return new double[]{lambda};
        }
        double product = c.lr() * lambda;
        String line = String.format(Locale.ROOT, "epoch %d: lambda_max(Hessian) = %.5g, lr * lambda_max = %.4g",
                c.epoch(), lambda, product);
        if (product > warnAbove) {
            LOG.warn("{} > {}: GD is far from gradient flow (unstable above 2); the speed limit assumes gradient "
                    + "flow, so consider a smaller train.lr", line, warnAbove);
        } else {
            LOG.info(line);
        }
        return new double[]{lambda};
    }

    /**
     * Largest-magnitude eigenvalue of S^{1/2} H S^{1/2} (S = lrScale, null for 1) by power iteration, with
     * H u ~ (g(theta + eps u) - g(theta - eps u)) / (2 eps). {@code theta} is the live parameter vector; it is
     * restored to its exact original values.
     */
    public static double estimate(INDArray theta, INDArray lrScale, int iterations, long seed, Supplier<INDArray> gradient) {
        INDArray original = theta.dup();
        INDArray sqrtS = lrScale == null ? null : org.nd4j.linalg.ops.transforms.Transforms.sqrt(lrScale, true);
        double unitRoundoff = theta.dataType() == DataType.DOUBLE ? 1.1e-16 : 6.0e-8;
        // central differences: truncation ~ eps^2, rounding ~ roundoff/eps, balanced at eps ~ roundoff^(1/3) |theta|
        double eps = Math.cbrt(unitRoundoff) * Math.max(1.0, original.norm2Number().doubleValue());
        // start vector from a pure-Java generator: reproducible whatever ND4J's RNG state is
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        double[] start = new double[(int) theta.length()];
        for (int i = 0; i < start.length; i++) {
            start[i] = rng.nextGaussian();
        }
        INDArray v = Nd4j.createFromArray(start).castTo(theta.dataType());
        v.divi(v.norm2Number());
        double lambda = 0;
        try {
            for (int i = 0; i < iterations; i++) {
                INDArray u = sqrtS == null ? v : v.mul(sqrtS);
                theta.assign(original.add(u.mul(eps)));
                INDArray plus = gradient.get().dup();
                theta.assign(original.sub(u.mul(eps)));
                INDArray minus = gradient.get();
                INDArray hv = plus.subi(minus).divi(2 * eps);
                if (sqrtS != null) {
                    hv.muli(sqrtS);
                }
                lambda = hv.castTo(DataType.DOUBLE).mul(v.castTo(DataType.DOUBLE)).sumNumber().doubleValue();
                double norm = hv.norm2Number().doubleValue();
                if (norm == 0) {
                    break;
                }
                v = hv.divi(norm);
            }
        } finally {
            theta.assign(original);
        }
        return lambda;
    }
}

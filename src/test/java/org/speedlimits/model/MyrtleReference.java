package org.speedlimits.model;

/**
 * The Myrtle gradient in plain Java, float64, straight from a {@link MyrtlePlan} and its index formulas: loops over
 * NCHW arrays, no library. An oracle for the plan and the layout that the native engines (oneDNN on the CPU, cuDNN
 * on a GPU) read theta through: if the plan's offsets or the readout's column-major indexing were wrong, this
 * gradient would not match theirs.
 */
final class MyrtleReference {
    /** S = sum |f - y|^2, the correct argmax predictions, grad S in theta's layout. */
    record Result(double squaredError, long correct, double[] gradient) {
    }

    private MyrtleReference() {
    }

    /**
     * @param x images [n, 3, 32, 32] in NCHW order
     * @param y targets [n, out] row-major
     */
    static Result compute(MyrtlePlan plan, float[] theta, float[] x, float[] y, int n) {
        var convs = plan.convs();
        double[][] inputs = new double[convs.size()][];   // each convolution's input
        double[][] outputs = new double[convs.size()][];  // after ReLU, before pooling
        double[] current = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            current[i] = x[i];
        }
        for (int l = 0; l < convs.size(); l++) {
            MyrtlePlan.Conv c = convs.get(l);
            inputs[l] = current;
            double[] out = convolve(c, theta, current, n);
            for (int i = 0; i < out.length; i++) {
                out[i] = Math.max(0, out[i]);
            }
            outputs[l] = out;
            current = c.pool() > 1 ? pool(out, n, (int) c.out(), (int) c.size(), c.pool()) : out;
        }
        MyrtlePlan.Readout r = plan.readout();
        int in = (int) r.in();
        int k = (int) r.out();
        double[] gradient = new double[(int) plan.numParams()];
        double[] delta = new double[n * k];
        double squaredError = 0;
        long correct = 0;
        for (int b = 0; b < n; b++) {
            int best = 0;
            int target = 0;
            double bestF = Double.NEGATIVE_INFINITY;
            for (int o = 0; o < k; o++) {
                double f = r.bias() ? theta[(int) r.biasOffset() + o] : 0;
                for (int i = 0; i < in; i++) {
                    f += current[b * in + i] * theta[(int) r.weightIndex(i, o)];
                }
                double d = f - y[b * k + o];
                squaredError += d * d;
                delta[b * k + o] = 2 * d;
                if (f > bestF) {
                    bestF = f;
                    best = o;
                }
                if (y[b * k + o] > y[b * k + target]) {
                    target = o;
                }
            }
            correct += best == target ? 1 : 0;
        }
        double[] diff = new double[n * in];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < k; o++) {
                double d = delta[b * k + o];
                if (r.bias()) {
                    gradient[(int) r.biasOffset() + o] += d;
                }
                for (int i = 0; i < in; i++) {
                    gradient[(int) r.weightIndex(i, o)] += current[b * in + i] * d;
                    diff[b * in + i] += theta[(int) r.weightIndex(i, o)] * d;
                }
            }
        }
        for (int l = convs.size() - 1; l >= 0; l--) {
            MyrtlePlan.Conv c = convs.get(l);
            if (c.pool() > 1) {
                diff = unpool(diff, n, (int) c.out(), (int) c.size(), c.pool());
            }
            double[] out = outputs[l];
            for (int i = 0; i < diff.length; i++) {
                diff[i] = out[i] > 0 ? diff[i] : 0;
            }
            diff = convolveBackward(c, theta, inputs[l], diff, n, gradient, l > 0);
        }
        return new Result(squaredError, correct, gradient);
    }

    private static double[] convolve(MyrtlePlan.Conv c, float[] theta, double[] in, int n) {
        int s = (int) c.size();
        int ci = (int) c.in();
        int co = (int) c.out();
        double[] out = new double[n * co * s * s];
        for (int b = 0; b < n; b++) {
            for (int k = 0; k < co; k++) {
                double bias = c.bias() ? theta[(int) c.biasOffset() + k] : 0;
                for (int i = 0; i < s; i++) {
                    for (int j = 0; j < s; j++) {
                        double sum = bias;
                        for (int ch = 0; ch < ci; ch++) {
                            for (int r = 0; r < 3; r++) {
                                int ii = i + r - 1;
                                if (ii < 0 || ii >= s) {
                                    continue;
                                }
                                for (int q = 0; q < 3; q++) {
                                    int jj = j + q - 1;
                                    if (jj >= 0 && jj < s) {
                                        sum += theta[(int) c.weightIndex(k, ch, r, q)] * in[((b * ci + ch) * s + ii) * s + jj];
                                    }
                                }
                            }
                        }
                        out[((b * co + k) * s + i) * s + j] = sum;
                    }
                }
            }
        }
        return out;
    }

    /** Accumulates dW and db of convolution c into gradient; returns the input gradient (or null). */
    private static double[] convolveBackward(MyrtlePlan.Conv c, float[] theta, double[] in, double[] dOut, int n,
                                             double[] gradient, boolean needInput) {
        int s = (int) c.size();
        int ci = (int) c.in();
        int co = (int) c.out();
        double[] dIn = needInput ? new double[n * ci * s * s] : null;
        for (int b = 0; b < n; b++) {
            for (int k = 0; k < co; k++) {
                for (int i = 0; i < s; i++) {
                    for (int j = 0; j < s; j++) {
                        double d = dOut[((b * co + k) * s + i) * s + j];
                        if (d == 0) {
                            continue;
                        }
                        if (c.bias()) {
                            gradient[(int) c.biasOffset() + k] += d;
                        }
                        for (int ch = 0; ch < ci; ch++) {
                            for (int r = 0; r < 3; r++) {
                                int ii = i + r - 1;
                                if (ii < 0 || ii >= s) {
                                    continue;
                                }
                                for (int q = 0; q < 3; q++) {
                                    int jj = j + q - 1;
                                    if (jj >= 0 && jj < s) {
                                        int at = ((b * ci + ch) * s + ii) * s + jj;
                                        int w = (int) c.weightIndex(k, ch, r, q);
                                        gradient[w] += d * in[at];
                                        if (needInput) {
                                            dIn[at] += d * theta[w];
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return dIn;
    }

    private static double[] pool(double[] in, int n, int ch, int s, int p) {
        int t = s / p;
        double[] out = new double[n * ch * t * t];
        for (int bc = 0; bc < n * ch; bc++) {
            for (int i = 0; i < s; i++) {
                for (int j = 0; j < s; j++) {
                    out[(bc * t + i / p) * t + j / p] += in[(bc * s + i) * s + j] / (p * p);
                }
            }
        }
        return out;
    }

    private static double[] unpool(double[] dOut, int n, int ch, int s, int p) {
        int t = s / p;
        double[] dIn = new double[n * ch * s * s];
        for (int bc = 0; bc < n * ch; bc++) {
            for (int i = 0; i < s; i++) {
                for (int j = 0; j < s; j++) {
                    dIn[(bc * s + i) * s + j] = dOut[(bc * t + i / p) * t + j / p] / (p * p);
                }
            }
        }
        return dIn;
    }
}

package org.speedlimits.ness;

import org.speedlimits.data.DataException;
import org.speedlimits.data.MnistData;
import org.speedlimits.data.MnistIdxReader;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * The linear MNIST classifier of paper 003, Sec. 4.2: f(x; θ) = W x with W ∈ ℝ^{K×d} (K = 10 classes, d = 49
 * coarse-grained pixels, N = K·d = 490 parameters, no bias), one-hot targets y_i = e_{label_i}, and
 *
 * <pre>
 *   ℓ_i(θ) = ‖y_i − W x_i‖²,     𝓛(θ) = (1/M) Σ_i ℓ_i + λ‖θ‖²   (Eq. 10),  λ = 10⁻².
 * </pre>
 *
 * The paper writes ℓ(z_i; θ) = (y_i − f(x_i; θ))², the same as its generic mean-squared example under Eq. 10, with
 * neither the ½ nor the M/(2ε²) of its regression model (Sec. 4.1); this class takes it literally: the squared
 * Euclidean norm over the 10 outputs.
 *
 * <p>Parameters are W row-major: θ[a·d + p] = W_{a,p} (class a, input p). With r_i = y_i − W x_i (length K):
 * <ul>
 *   <li>∇_W ℓ_i = −2 r_i x_iᵀ, i.e. g_i = −2 r_i ⊗ x_i;</li>
 *   <li>∇²ℓ_i = 2 I_K ⊗ x_i x_iᵀ (independent of θ);</li>
 *   <li>∇²𝓛 = 2 I_K ⊗ C + 2λ I with C = (1/M) Σ_i x_i x_iᵀ (d×d), the same at every θ, so H₀ = H(θ₀) has the
 *       eigenvalues 2(c_k + λ) of 2(C + λI), each K times;</li>
 *   <li>∇𝓛 = 0 at W₀ = Y Xᵀ (X Xᵀ + λM I)⁻¹ (X = [x_1 … x_M], Y = [y_1 … y_M]): {@link #minimum()}.</li>
 * </ul>
 *
 * <p>Inputs by {@link #of}: 4×4 block means of the grey levels / 255 ({@link MnistData#coarseGrained}), 28×28 → 7×7,
 * not standardised. The paper uses all M = 60,000 official training digits; the offline mirror has 10,000, and the
 * project's tests use its first {@value #MIRROR_EXAMPLES} (divisible by the paper's m = 100).
 *
 * <p>The class is general in d and K (tests use small ones). Immutable and thread-safe; the inputs are copied.
 */
public final class MnistLinear implements NessModel {
    public static final int CLASSES = 10;
    /** Coarse-graining block: 28/4 = 7. */
    public static final int BLOCK = 4;
    public static final int INPUTS = (MnistIdxReader.ROWS / BLOCK) * (MnistIdxReader.COLS / BLOCK);
    public static final double PAPER_LAMBDA = 1e-2;
    public static final double PAPER_ETA = 1e-4;
    public static final int PAPER_BATCH = 100;
    /** The paper's M: the official training set. */
    public static final int PAPER_EXAMPLES = 60_000;
    /** The M used with the 10,000-digit offline mirror: the largest multiple of m = 100 leaving 100 digits spare. */
    public static final int MIRROR_EXAMPLES = 9_900;

    private final int examples;
    private final int inputs;
    private final int classes;
    private final int parameters;
    private final double lambda;
    /** x_i at [i·d, (i+1)·d). */
    private final double[] x;
    private final int[] labels;
    /** C = (1/M) Σ x_i x_iᵀ, d×d row-major. */
    private final double[] second;
    /** B = (1/M) Σ y_i x_iᵀ, K×d row-major (row a: the mean input of class a times its frequency). */
    private final double[] cross;

    /**
     * @param inputs         M·d values, x_i at [i·d, (i+1)·d)
     * @param labels         M class indices 0 … K−1 (targets y_i = e_{labels[i]})
     * @param inputDimension d
     * @param classes        K
     * @param lambda         λ ≥ 0 of R(θ) = λ‖θ‖²
     */
    public MnistLinear(double[] inputs, int[] labels, int inputDimension, int classes, double lambda) {
        if (inputDimension < 1 || classes < 1) {
            throw new IllegalArgumentException("input dimension and classes must be positive, got d = "
                    + inputDimension + ", K = " + classes);
        }
        if (labels.length < 1) {
            throw new IllegalArgumentException("need at least one example, got none");
        }
        if (inputs.length != (long) labels.length * inputDimension) {
            throw new IllegalArgumentException(inputs.length + " input values are not " + labels.length
                    + " examples of dimension " + inputDimension);
        }
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("lambda must be finite and >= 0, got " + lambda);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("label of example " + i + " is " + labels[i] + ", expected 0-"
                        + (classes - 1));
            }
        }
        for (int k = 0; k < inputs.length; k++) {
            if (!Double.isFinite(inputs[k])) {
                throw new IllegalArgumentException("input value " + k + " (example " + k / inputDimension + ") is "
                        + inputs[k]);
            }
        }
        this.examples = labels.length;
        this.inputs = inputDimension;
        this.classes = classes;
        this.parameters = Math.multiplyExact(classes, inputDimension);
        this.lambda = lambda;
        this.x = inputs.clone();
        this.labels = labels.clone();
        this.second = new double[inputDimension * inputDimension];
        this.cross = new double[classes * inputDimension];
        int d = inputDimension;
        for (int i = 0; i < examples; i++) {
            int base = i * d;
            for (int p = 0; p < d; p++) {
                double xp = x[base + p];
                cross[this.labels[i] * d + p] += xp;
                for (int q = p; q < d; q++) {
                    second[p * d + q] += xp * x[base + q];
                }
            }
        }
        for (int p = 0; p < d; p++) {
            for (int q = p; q < d; q++) {
                second[p * d + q] /= examples;
                second[q * d + p] = second[p * d + q];
            }
        }
        for (int k = 0; k < cross.length; k++) {
            cross[k] /= examples;
        }
    }

    /**
     * The paper's model on the first {@code examples} digits of {@code data}: 4×4 block means (28×28 → 7×7), K = 10,
     * λ = {@value #PAPER_LAMBDA}.
     */
    public static MnistLinear of(MnistData data, int examples) {
        if (data.rows() % BLOCK != 0 || data.cols() % BLOCK != 0) {
            throw new IllegalArgumentException("images of " + data.rows() + "x" + data.cols()
                    + " cannot be coarse-grained in " + BLOCK + "x" + BLOCK + " blocks");
        }
        if (examples < 1 || examples > data.size()) {
            throw new DataException("asked for M = " + examples + " MNIST digits but " + data.size() + " were read");
        }
        MnistData used = examples == data.size() ? data : data.first(examples);
        int d = (data.rows() / BLOCK) * (data.cols() / BLOCK);
        return new MnistLinear(used.coarseGrained(BLOCK), used.labels(), d, CLASSES, PAPER_LAMBDA);
    }

    /** The same data with regulariser λ (this model itself if λ is unchanged). */
    public MnistLinear withLambda(double lambda) {
        return lambda == this.lambda ? this : new MnistLinear(x, labels, inputs, classes, lambda);
    }

    /**
     * The paper's model on the first M digits of the offline mirror ({@code images-idx3-ubyte}, {@code
     * labels-idx1-ubyte}; at most 10,000, tests use {@value #MIRROR_EXAMPLES}).
     */
    public static MnistLinear fromMirror(Path dir, int examples) {
        return of(MnistIdxReader.readMirror(dir, examples), examples);
    }

    /**
     * The paper's model on the first M digits of the official training set in {@code dir} ({@code
     * train-images-idx3-ubyte.gz}, {@code train-labels-idx1-ubyte.gz}; the paper's M = {@value #PAPER_EXAMPLES}),
     * else of the mirror layout in that folder: what {@code ./data-download.sh} installs into data/mnist.
     */
    public static MnistLinear fromInstalled(Path dir, int examples) {
        return of(MnistIdxReader.readTraining(dir, examples), examples);
    }

    @Override
    public int parameters() {
        return parameters;
    }

    @Override
    public int examples() {
        return examples;
    }

    @Override
    public double lambda() {
        return lambda;
    }

    /** d, the input dimension (49 for MNIST). */
    public int inputDimension() {
        return inputs;
    }

    /** K, the number of classes (10). */
    public int classes() {
        return classes;
    }

    /** The class index of example i. */
    public int label(int i) {
        return labels[i];
    }

    /** x_i at [i·d, (i+1)·d) for all i: the model's own array, read-only (package use, no copy of M·d values). */
    double[] inputValues() {
        return x;
    }

    /** A copy of x_i. */
    public double[] input(int i) {
        return Arrays.copyOfRange(x, i * inputs, (i + 1) * inputs);
    }

    /** A copy of C = (1/M) Σ_i x_i x_iᵀ (d×d row-major); ∇²𝓛 = 2 I_K ⊗ C + 2λI. */
    public double[] secondMoment() {
        return second.clone();
    }

    /**
     * The parameters θ[a·d + p] of inputs p that are 0 in every example, ascending: ∂ℓ_i/∂θ vanishes there for all i,
     * so D has zero rows and columns there (Sec. 3.1's untrained case: D only positive semidefinite) and θ₀ is 0
     * there; the regulariser alone moves them. Coarse MNIST pixel (0, 0) is blank in all of the mirror's first 9,900
     * digits, giving 10 such parameters.
     */
    public int[] noiselessParameters() {
        boolean[] used = new boolean[inputs];
        for (int k = 0; k < x.length; k++) {
            if (x[k] != 0) {
                used[k % inputs] = true;
            }
        }
        return java.util.stream.IntStream.range(0, parameters).filter(alpha -> !used[alpha % inputs]).toArray();
    }

    /** w_a · x_i. */
    private double output(double[] theta, int a, int base) {
        int wa = a * inputs;
        double s = 0;
        for (int p = 0; p < inputs; p++) {
            s += theta[wa + p] * x[base + p];
        }
        return s;
    }

    @Override
    public double exampleLoss(double[] theta, int i) {
        int base = i * inputs;
        double s = 0;
        for (int a = 0; a < classes; a++) {
            double r = (labels[i] == a ? 1.0 : 0.0) - output(theta, a, base);
            s += r * r;
        }
        return s;
    }

    /** ∇ℓ_i = −2 r_i ⊗ x_i. */
    @Override
    public void exampleGradient(double[] theta, int i, double[] out) {
        int base = i * inputs;
        for (int a = 0; a < classes; a++) {
            double c = -2 * ((labels[i] == a ? 1.0 : 0.0) - output(theta, a, base));
            int wa = a * inputs;
            for (int p = 0; p < inputs; p++) {
                out[wa + p] = c * x[base + p];
            }
        }
    }

    /** ∇²ℓ_i = 2 I_K ⊗ x_i x_iᵀ: block (a, a) is 2 x_i x_iᵀ, the rest 0 (θ is not used). */
    @Override
    public void exampleHessian(double[] theta, int i, double[] out) {
        Arrays.fill(out, 0, parameters * parameters, 0.0);
        int base = i * inputs;
        for (int a = 0; a < classes; a++) {
            for (int p = 0; p < inputs; p++) {
                int row = (a * inputs + p) * parameters + a * inputs;
                double xp2 = 2 * x[base + p];
                for (int q = 0; q < inputs; q++) {
                    out[row + q] = xp2 * x[base + q];
                }
            }
        }
    }

    /**
     * (∇²ℓ_i) v = 2 (V x_i) x_iᵀ for v read as a K×d matrix V, written into {@code out}; O(K·d) instead of the N² of
     * {@link #exampleHessian} (App. B's U_{βαi} = M⁻¹ ∂_β∂_α ℓ_i enters only through such products).
     */
    public void exampleHessianTimes(int i, double[] v, double[] out) {
        int base = i * inputs;
        for (int a = 0; a < classes; a++) {
            double c = 2 * output(v, a, base);
            int wa = a * inputs;
            for (int p = 0; p < inputs; p++) {
                out[wa + p] = c * x[base + p];
            }
        }
    }

    /** Allocation-free: per example and class, one dot product for r_{i,a}, then one axpy into row a of W. */
    @Override
    public void addExampleGradients(double[] theta, int[] idx, int from, int to, double scale, double[] grad) {
        final int d = inputs;
        for (int k = from; k < to; k++) {
            int i = idx[k];
            int base = i * d;
            int label = labels[i];
            for (int a = 0; a < classes; a++) {
                int wa = a * d;
                double s = 0;
                for (int p = 0; p < d; p++) {
                    s += theta[wa + p] * x[base + p];
                }
                double c = -2 * scale * ((label == a ? 1.0 : 0.0) - s);
                for (int p = 0; p < d; p++) {
                    grad[wa + p] += c * x[base + p];
                }
            }
        }
    }

    /**
     * 𝓛(θ) from the moments, O(K·d²): (1/M) Σ ‖y_i − W x_i‖² = 1 − 2 Σ_a w_a·b_a + Σ_a w_aᵀ C w_a (one-hot
     * ‖y_i‖² = 1), plus λ‖θ‖².
     */
    @Override
    public double loss(double[] theta) {
        requireLength(theta, parameters, "theta");
        final int d = inputs;
        double s = 1;
        double r = 0;
        for (int a = 0; a < classes; a++) {
            int wa = a * d;
            for (int p = 0; p < d; p++) {
                double wp = theta[wa + p];
                double cw = 0;
                for (int q = 0; q < d; q++) {
                    cw += second[p * d + q] * theta[wa + q];
                }
                s += wp * (cw - 2 * cross[wa + p]);
                r += wp * wp;
            }
        }
        return s + lambda * r;
    }

    /** ∇𝓛 from the moments, O(K·d²): row a is 2 C w_a − 2 b_a + 2λ w_a. */
    @Override
    public void gradient(double[] theta, double[] out) {
        requireLength(theta, parameters, "theta");
        requireLength(out, parameters, "out");
        final int d = inputs;
        for (int a = 0; a < classes; a++) {
            int wa = a * d;
            for (int p = 0; p < d; p++) {
                double cw = 0;
                for (int q = 0; q < d; q++) {
                    cw += second[p * d + q] * theta[wa + q];
                }
                out[wa + p] = 2 * (cw - cross[wa + p] + lambda * theta[wa + p]);
            }
        }
    }

    /** ∇²𝓛 = 2 I_K ⊗ C + 2λI, the same at every θ. */
    @Override
    public void hessian(double[] theta, double[] out) {
        requireLength(out, parameters * parameters, "out");
        Arrays.fill(out, 0.0);
        final int d = inputs;
        for (int a = 0; a < classes; a++) {
            for (int p = 0; p < d; p++) {
                int row = (a * d + p) * parameters + a * d;
                for (int q = 0; q < d; q++) {
                    out[row + q] = 2 * second[p * d + q];
                }
                out[row + p] += 2 * lambda;
            }
        }
    }

    /**
     * The minimum θ₀ of 𝓛: ∇𝓛 = (2/M)(W X Xᵀ − Y Xᵀ) + 2λW = 0 gives W₀ = Y Xᵀ (X Xᵀ + λM I)⁻¹, i.e. row a solves
     * (C + λI) w_a = b_a (Cholesky). Unique for λ &gt; 0; with λ = 0 it needs C of full rank.
     */
    public double[] minimum() {
        final int d = inputs;
        double[] l = new double[d * d];
        for (int p = 0; p < d; p++) {
            for (int q = 0; q <= p; q++) {
                double s = second[p * d + q] + (p == q ? lambda : 0);
                for (int k = 0; k < q; k++) {
                    s -= l[p * d + k] * l[q * d + k];
                }
                if (p == q) {
                    if (!(s > 0)) {
                        throw new IllegalStateException("C + lambda I is not positive definite (pivot " + p + " = " + s
                                + "); with lambda = " + lambda + " the inputs must span all " + d + " dimensions");
                    }
                    l[p * d + p] = Math.sqrt(s);
                } else {
                    l[p * d + q] = s / l[q * d + q];
                }
            }
        }
        double[] theta = new double[parameters];
        double[] z = new double[d];
        for (int a = 0; a < classes; a++) {
            for (int p = 0; p < d; p++) { // L z = b_a
                double s = cross[a * d + p];
                for (int k = 0; k < p; k++) {
                    s -= l[p * d + k] * z[k];
                }
                z[p] = s / l[p * d + p];
            }
            for (int p = d - 1; p >= 0; p--) { // Lᵀ w = z
                double s = z[p];
                for (int k = p + 1; k < d; k++) {
                    s -= l[k * d + p] * theta[a * d + k];
                }
                theta[a * d + p] = s / l[p * d + p];
            }
        }
        return theta;
    }

    /** The fraction of examples whose largest output W x_i is at their label (ties: the lowest class). */
    public double accuracy(double[] theta) {
        requireLength(theta, parameters, "theta");
        int correct = 0;
        for (int i = 0; i < examples; i++) {
            int best = 0;
            double bestValue = Double.NEGATIVE_INFINITY;
            for (int a = 0; a < classes; a++) {
                double f = output(theta, a, i * inputs);
                if (f > bestValue) {
                    bestValue = f;
                    best = a;
                }
            }
            if (best == labels[i]) {
                correct++;
            }
        }
        return (double) correct / examples;
    }

    /**
     * V Vᵀ (N×N row-major) with V_{αi} = M⁻¹ ∂_α ℓ_i (Eq. A9): M⁻² Σ_i g_i g_iᵀ = (4/M²) Σ_i (r_i r_iᵀ) ⊗ (x_i x_iᵀ).
     * O(M·K²·d²/4) ≈ 6.7·10⁸ multiply-adds for M = 9,900: only the distinct a ≤ b, p ≤ q sums are accumulated.
     */
    public double[] gradientOuter(double[] theta) {
        requireLength(theta, parameters, "theta");
        double[] out = new double[parameters * parameters];
        KroneckerSum s = pairSums(residuals(theta));
        expand(s, 4.0 / ((double) examples * examples), null, 0, out);
        return out;
    }

    /** tr(V Vᵀ) = M⁻² Σ_i ‖g_i‖² = (4/M²) Σ_i ‖r_i‖² ‖x_i‖² (Eq. 16), O(M·K·d). */
    public double traceGradientOuter(double[] theta) {
        requireLength(theta, parameters, "theta");
        double t = 0;
        for (int i = 0; i < examples; i++) {
            int base = i * inputs;
            double rr = 0, xx = 0;
            for (int a = 0; a < classes; a++) {
                double r = (labels[i] == a ? 1.0 : 0.0) - output(theta, a, base);
                rr += r * r;
            }
            for (int p = 0; p < inputs; p++) {
                xx += x[base + p] * x[base + p];
            }
            t += rr * xx;
        }
        return 4 * t / ((double) examples * examples);
    }

    /**
     * The exact with-replacement diffusion matrix of Eq. A10 (= Eq. 14, first line),
     * <pre>
     *   D(θ) = η²(n − 1) / (2(M − 1)) · [M V Vᵀ − ∇L ∇Lᵀ],   n = M/m,
     * </pre>
     * N×N row-major, for minibatches of m distinct examples (Eq. A7). n − 1 = (M − m)/m is used as is, so m need not
     * divide M. ∇L is the data part of the gradient (no regulariser). Cost as {@link #gradientOuter}.
     */
    public double[] diffusion(double[] theta, double eta, int batch) {
        requireLength(theta, parameters, "theta");
        if (examples < 2) {
            throw new IllegalArgumentException("D needs M >= 2 examples, got " + examples);
        }
        if (batch < 1 || batch > examples) {
            throw new IllegalArgumentException("minibatch size m must be 1-" + examples + " (M), got " + batch);
        }
        if (!Double.isFinite(eta)) {
            throw new IllegalArgumentException("eta must be finite, got " + eta);
        }
        double[] r = residuals(theta);
        KroneckerSum s = pairSums(r);
        // ∇L = −(2/M) Σ_i r_i ⊗ x_i
        double[] gradL = new double[parameters];
        for (int i = 0; i < examples; i++) {
            int base = i * inputs;
            for (int a = 0; a < classes; a++) {
                double c = -2.0 / examples * r[i * classes + a];
                for (int p = 0; p < inputs; p++) {
                    gradL[a * inputs + p] += c * x[base + p];
                }
            }
        }
        double prefactor = eta * eta * ((double) (examples - batch) / batch) / (2.0 * (examples - 1));
        double[] out = new double[parameters * parameters];
        // M V Vᵀ = (4/M) Σ_i (r rᵀ) ⊗ (x xᵀ)
        expand(s, prefactor * 4.0 / examples, gradL, prefactor, out);
        return out;
    }

    /** r_i = y_i − W x_i for all i: M×K row-major. */
    double[] residuals(double[] theta) {
        double[] r = new double[examples * classes];
        for (int i = 0; i < examples; i++) {
            for (int a = 0; a < classes; a++) {
                r[i * classes + a] = (labels[i] == a ? 1.0 : 0.0) - output(theta, a, i * inputs);
            }
        }
        return r;
    }

    /** Σ_i (r_i r_iᵀ) ⊗ (x_i x_iᵀ), packed ({@link KroneckerSum}). */
    private KroneckerSum pairSums(double[] r) {
        KroneckerSum s = new KroneckerSum(classes, inputs);
        double[] rr = new double[s.classPairs()];
        for (int i = 0; i < examples; i++) {
            s.addOuter(r, i * classes, x, i * inputs, rr);
        }
        return s;
    }

    /** out[(a,p),(b,q)] = scale·S[(a,b),(p,q)] − outerScale·g[(a,p)] g[(b,q)] (g may be null; out starts at 0). */
    private void expand(KroneckerSum s, double scale, double[] g, double outerScale, double[] out) {
        s.addTo(scale, out);
        if (g != null) {
            for (int alpha = 0; alpha < parameters; alpha++) {
                for (int beta = 0; beta < parameters; beta++) {
                    out[alpha * parameters + beta] -= outerScale * (g[alpha] * g[beta]); // g_α g_β = g_β g_α: D exactly symmetric
                }
            }
        }
    }

    private static void requireLength(double[] v, int n, String name) {
        if (v.length != n) {
            throw new IllegalArgumentException(name + " has length " + v.length + ", expected " + n);
        }
    }
}

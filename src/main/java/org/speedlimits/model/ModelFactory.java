package org.speedlimits.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.speedlimits.config.ExperimentConfig;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Builds Myrtle CNNs and fully connected networks for 32x32x3 inputs and K = 10 outputs, with explicit seeded
 * initialisation: weights W ~ N(0, sigma_w^2/fan_in) in every layer (readout included, as in neural-tangents'
 * Myrtle), biases (if enabled) b ~ N(0, sigma_b^2). The same seed gives a bit-identical theta_0.
 */
public final class ModelFactory {
    public static final int IMAGE_SIZE = 32;
    public static final int CHANNELS = 3;
    public static final int CLASSES = 10;

    private ModelFactory() {
    }

    /** Conv layers per stage for Myrtle-5/7/10 (neural-tangents' layer_factor). */
    static int[] myrtleStages(int depth) {
        return switch (depth) {
            case 5 -> new int[]{2, 1, 1};
            case 7 -> new int[]{2, 2, 2};
            case 10 -> new int[]{3, 3, 3};
            default -> throw new IllegalArgumentException("Myrtle depth must be 5, 7 or 10, got " + depth);
        };
    }

    /** Trainable parameters of Myrtle-depth without biases: 27C + 9C^2 (convs - 1) + 10C. */
    public static long myrtleParameterCount(int depth, long width) {
        int convs = java.util.Arrays.stream(myrtleStages(depth)).sum();
        return 27 * width + 9 * width * width * (convs - 1) + 10 * width;
    }

    /**
     * The seed handed to DL4J/ND4J: a fixed bijective mix of the user's seed that is never 0, because ND4J's native
     * RNG does not reproduce its stream for seed 0 (seed 0 gave a different theta_0 on every build).
     */
    static long dl4jSeed(long seed) {
        long z = seed + 0x9E3779B97F4A7C15L; // splitmix64 finaliser
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return z == 0 ? 1 : z;
    }

    public static Network build(ExperimentConfig.Model model, long seed, DataType dtype) {
        NeuralNetConfiguration.ListBuilder layers = new NeuralNetConfiguration.Builder()
                .seed(dl4jSeed(seed))
                .dataType(dtype)
                .updater(new NoOp()) // the trainer applies theta -= eta * lrScale * grad itself
                .convolutionMode(ConvolutionMode.Same)
                .list();
        long fanIn = switch (model.type()) {
            case MYRTLE -> addMyrtle(layers, model);
            case FCN -> addFcn(layers, model);
        };
        layers.layer(new OutputLayer.Builder(new ObservedSquaredError())
                .nIn(fanIn).nOut(CLASSES)
                .activation(Activation.IDENTITY)
                .hasBias(model.bias())
                .weightInit(new NormalDistribution(0, model.sigmaW() / Math.sqrt(fanIn)))
                .build());
        layers.setInputType(InputType.convolutional(IMAGE_SIZE, IMAGE_SIZE, CHANNELS));
        MultiLayerNetwork net = new MultiLayerNetwork(layers.build());
        net.init();
        List<ParameterBlock> blocks = describe(net, model);
        initialiseBiases(net, blocks, seed);
        return new Network(net, blocks, Parameterization.of(model.parameterization(), blocks, net.numParams(), dtype));
    }

    private static long addMyrtle(NeuralNetConfiguration.ListBuilder layers, ExperimentConfig.Model m) {
        int[] stages = myrtleStages(m.depth());
        long in = CHANNELS;
        for (int stage = 0; stage < stages.length; stage++) {
            for (int i = 0; i < stages[stage]; i++) {
                layers.layer(new ReusingConvolutionLayer.Builder(3, 3)
                        .nIn(in).nOut(m.width())
                        .stride(1, 1)
                        .activation(new ReluActivation())
                        .hasBias(m.bias())
                        .weightInit(new NormalDistribution(0, m.sigmaW() / Math.sqrt(9.0 * in)))
                        .build());
                in = m.width();
            }
            // stages 1-2 halve the image once (32 -> 16 -> 8); the last stage pools three times (8 -> 1)
            int pools = stage == stages.length - 1 ? 3 : 1;
            for (int p = 0; p < pools; p++) {
                layers.layer(new SubsamplingLayer.Builder(PoolingType.AVG)
                        .kernelSize(2, 2).stride(2, 2)
                        .convolutionMode(ConvolutionMode.Truncate)
                        .build());
            }
        }
        return in; // 1x1xC after the last pooling
    }

    private static long addFcn(NeuralNetConfiguration.ListBuilder layers, ExperimentConfig.Model m) {
        long in = (long) CHANNELS * IMAGE_SIZE * IMAGE_SIZE;
        for (int i = 0; i < m.depth(); i++) {
            layers.layer(new DenseLayer.Builder()
                    .nIn(in).nOut(m.width())
                    .activation(activation(m.activation()))
                    .hasBias(m.bias())
                    .weightInit(new NormalDistribution(0, m.sigmaW() / Math.sqrt(in)))
                    .build());
            in = m.width();
        }
        return in;
    }

    static IActivation activation(ExperimentConfig.Activation a) {
        return switch (a) {
            case RELU -> new ReluActivation();
            case TANH -> Activation.TANH.getActivationFunction();
            case ERF -> new ErfActivation();
        };
    }

    /** Finds each parameter array's slice of the flattened theta (its offset in DL4J's shared parameter buffer). */
    static List<ParameterBlock> describe(MultiLayerNetwork net, ExperimentConfig.Model m) {
        long base = net.params().offset();
        List<ParameterBlock> blocks = new ArrayList<>();
        Layer[] layers = net.getLayers();
        for (int i = 0; i < layers.length; i++) {
            org.deeplearning4j.nn.conf.layers.Layer conf = layers[i].conf().getLayer();
            String type = conf instanceof ConvolutionLayer ? "conv" // incl. ReusingConvolutionLayer
                    : conf.getClass().getSimpleName().replace("Layer", "").toLowerCase();
            for (var e : layers[i].paramTable().entrySet()) {
                INDArray p = e.getValue();
                long[] shape = p.shape();
                boolean bias = e.getKey().equals("b");
                long fanIn = bias ? 1 : shape.length == 4 ? shape[1] * shape[2] * shape[3] : shape[0];
                blocks.add(new ParameterBlock("layer" + i + "_" + type + "." + e.getKey(), i, e.getKey(),
                        p.offset() - base, shape, fanIn, bias ? m.sigmaB() : m.sigmaW(), memoryOrder(p)));
            }
        }
        blocks.sort(Comparator.comparingLong(ParameterBlock::offset));
        return List.copyOf(blocks);
    }

    /**
     * The memory order of a dense parameter view, from its strides: "C" when the last index runs fastest, "F" when
     * the first does (dimensions of size 1 are ignored, so a vector is "C"). Throws for any other layout, which could
     * not be described as one contiguous slice of theta.
     */
    static String memoryOrder(INDArray p) {
        if (hasContiguousStrides(p.shape(), p.stride(), true)) {
            return "C";
        }
        if (hasContiguousStrides(p.shape(), p.stride(), false)) {
            return "F";
        }
        throw new IllegalStateException("parameter view of shape " + java.util.Arrays.toString(p.shape())
                + " has strides " + java.util.Arrays.toString(p.stride()) + ", neither C nor F contiguous");
    }

    private static boolean hasContiguousStrides(long[] shape, long[] stride, boolean lastFastest) {
        long expected = 1;
        for (int k = 0; k < shape.length; k++) {
            int d = lastFastest ? shape.length - 1 - k : k;
            if (shape[d] != 1 && stride[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }

    /** DL4J can only set biases to a constant; draw b ~ N(0, sigma_b^2) from a seed-derived pure-Java stream instead. */
    private static void initialiseBiases(MultiLayerNetwork net, List<ParameterBlock> blocks, long seed) {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(dl4jSeed(seed) ^ 0x5DEECE66DL);
        for (ParameterBlock b : blocks) {
            if (b.isBias()) {
                INDArray bias = net.getLayer(b.layer()).getParam(b.key());
                double[] values = new double[(int) b.length()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = b.sigma() * rng.nextGaussian();
                }
                bias.assign(Nd4j.createFromArray(values).reshape(bias.shape()).castTo(bias.dataType()));
            }
        }
    }
}

package org.speedlimits.model;

/**
 * One parameter array's slice of the flattened parameter vector theta (DL4J's order: layer by layer).
 *
 * @param name   e.g. {@code layer0_conv.W}
 * @param layer  DL4J layer index
 * @param key    DL4J parameter key ({@code W} or {@code b})
 * @param offset first element in theta
 * @param shape  DL4J shape of the array (conv W: [out, in, kh, kw]; dense W: [in, out])
 * @param fanIn  inputs feeding one output unit (conv: in*kh*kw, dense: in; bias: 1)
 * @param sigma  init std multiplier: W ~ N(0, sigma^2/fanIn), b ~ N(0, sigma^2)
 * @param order  how the array's elements lie in its slice of theta: {@code "C"} (row-major, last index fastest) or
 *               {@code "F"} (column-major, first index fastest), read from the strides of DL4J's parameter view
 *               (dense W is F, conv W is C; a vector, where both readings agree, is C);
 *               numpy: {@code theta[offset:offset+length].reshape(shape, order=order)}
 */
public record ParameterBlock(String name, int layer, String key, long offset, long[] shape, long fanIn, double sigma,
                             String order) {
    public boolean isBias() {
        return key.equals("b");
    }

    public long length() {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }
}

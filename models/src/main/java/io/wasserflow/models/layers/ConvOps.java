package io.wasserflow.models.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

/**
 * libnd4j's convolution kernels (im2col + gemm, the same on every backend), called by name with
 * explicit arguments: NCHW data; weights [outC, inC, k, k] for convolutions (wFormat 1) and
 * [inC, outC, k, k] for transposed convolutions (wFormat 1, the PyTorch layouts).
 */
final class ConvOps {
    private ConvOps() {}

    private static final int NCHW = 0, W_FORMAT_OIHW = 1;
    /** See {@link #deconv2d}. */
    private static final int DECONV_PAD = 1;

    /** Explicit padding always: libnd4j's SAME mode is slower (see {@link #deconv2d}). */
    private static int[] geometry(int k, int stride, int pad) {
        return new int[] {k, k, stride, stride, pad, pad, 1, 1, 0, NCHW, W_FORMAT_OIHW};
    }

    /** The op's inputs; the builder's addInputs replaces rather than appends, so they go in at once. */
    private static INDArray[] inputs(INDArray x, INDArray w, INDArray b) {
        return b == null ? new INDArray[] {x, w} : new INDArray[] {x, w, b};
    }

    static long convOut(long in, int k, int stride, int pad) {
        return (in + 2L * pad - k) / stride + 1;
    }

    /** y = conv(x, w) + b (b may be null). */
    static INDArray conv2d(INDArray x, INDArray w, INDArray b, int k, int stride, int pad) {
        long oh = convOut(x.size(2), k, stride, pad), ow = convOut(x.size(3), k, stride, pad);
        INDArray y = Nd4j.createUninitialized(x.dataType(), x.size(0), w.size(0), oh, ow); // the op writes every element
        DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("conv2d").addInputs(inputs(x, w, b));
        Nd4j.exec(op.addOutputs(y).addIntegerArguments(geometry(k, stride, pad)).build());
        return y;
    }

    /** Gradients of conv2d: [x-bar, w-bar, b-bar] for the output adjoint yBar. */
    static INDArray[] conv2dBackward(INDArray x, INDArray w, INDArray yBar, int k, int stride, int pad) {
        INDArray xBar = x.ulike(), wBar = w.ulike(), bBar = Nd4j.createUninitialized(x.dataType(), w.size(0));
        INDArray b = Nd4j.zeros(x.dataType(), w.size(0));
        Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(x, w, b, yBar).addOutputs(xBar, wBar, bBar)
                .addIntegerArguments(geometry(k, stride, pad)).build());
        return new INDArray[] {xBar, wBar, bBar};
    }

    /**
     * Transposed convolution, stride s, kernel k, whose output is s times the input: PyTorch's
     * ConvTranspose2d(k, s, padding 2, output_padding 1) for k = 5, s = 2. libnd4j's SAME mode is
     * 2-3x slower here than explicit padding, so this runs it with padding 1, which gives one extra
     * leading row and column (output 2h + 1), and drops them.
     */
    static INDArray deconv2d(INDArray x, INDArray w, INDArray b, int k, int stride) {
        long oh = x.size(2) * stride, ow = x.size(3) * stride;
        INDArray full = Nd4j.createUninitialized(x.dataType(), x.size(0), w.size(1), oh + 1, ow + 1);
        DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("deconv2d").addInputs(inputs(x, w, b));
        Nd4j.exec(op.addOutputs(full).addIntegerArguments(geometry(k, stride, DECONV_PAD)).build());
        return full.get(all(), all(), interval(1, oh + 1), interval(1, ow + 1)).dup('c');
    }

    /** Gradients of deconv2d: [x-bar, w-bar, b-bar]; the dropped row and column get no gradient. */
    static INDArray[] deconv2dBackward(INDArray x, INDArray w, INDArray yBar, int k, int stride) {
        long oh = yBar.size(2), ow = yBar.size(3);
        INDArray fullBar = Nd4j.zeros(x.dataType(), yBar.size(0), yBar.size(1), oh + 1, ow + 1);
        fullBar.get(all(), all(), interval(1, oh + 1), interval(1, ow + 1)).assign(yBar);
        INDArray xBar = x.ulike(), wBar = w.ulike(), bBar = Nd4j.createUninitialized(x.dataType(), w.size(1));
        INDArray b = Nd4j.zeros(x.dataType(), w.size(1));
        Nd4j.exec(DynamicCustomOp.builder("deconv2d_bp").addInputs(x, w, b, fullBar).addOutputs(xBar, wBar, bBar)
                .addIntegerArguments(geometry(k, stride, DECONV_PAD)).build());
        return new INDArray[] {xBar, wBar, bBar};
    }
}

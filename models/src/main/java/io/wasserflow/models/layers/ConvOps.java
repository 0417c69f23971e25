package io.wasserflow.models.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * libnd4j's convolution kernels (im2col + gemm, the same on every backend), called by name with
 * explicit arguments: NCHW data; weights [outC, inC, k, k] for convolutions (wFormat 1) and
 * [inC, outC, k, k] for transposed convolutions (wFormat 1, the PyTorch layouts).
 */
final class ConvOps {
    private ConvOps() {}

    private static final int NCHW = 0, W_FORMAT_OIHW = 1;

    private static int[] geometry(int k, int stride, int pad, boolean same) {
        return new int[] {k, k, stride, stride, pad, pad, 1, 1, same ? 1 : 0, NCHW, W_FORMAT_OIHW};
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
        INDArray y = Nd4j.create(x.dataType(), x.size(0), w.size(0), oh, ow);
        DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("conv2d").addInputs(inputs(x, w, b));
        Nd4j.exec(op.addOutputs(y).addIntegerArguments(geometry(k, stride, pad, false)).build());
        return y;
    }

    /** Gradients of conv2d: [x-bar, w-bar, b-bar] for the output adjoint yBar. */
    static INDArray[] conv2dBackward(INDArray x, INDArray w, INDArray yBar, int k, int stride, int pad) {
        INDArray xBar = x.ulike(), wBar = w.ulike(), bBar = Nd4j.create(x.dataType(), w.size(0));
        INDArray b = Nd4j.zeros(x.dataType(), w.size(0));
        Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(x, w, b, yBar).addOutputs(xBar, wBar, bBar)
                .addIntegerArguments(geometry(k, stride, pad, false)).build());
        return new INDArray[] {xBar, wBar, bBar};
    }

    /** Transposed convolution in SAME mode: output spatial size = input size x stride. */
    static INDArray deconv2d(INDArray x, INDArray w, INDArray b, int k, int stride) {
        INDArray y = Nd4j.create(x.dataType(), x.size(0), w.size(1), x.size(2) * stride, x.size(3) * stride);
        DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("deconv2d").addInputs(inputs(x, w, b));
        Nd4j.exec(op.addOutputs(y).addIntegerArguments(geometry(k, stride, 0, true)).build());
        return y;
    }

    /** Gradients of deconv2d: [x-bar, w-bar, b-bar]. */
    static INDArray[] deconv2dBackward(INDArray x, INDArray w, INDArray yBar, int k, int stride) {
        INDArray xBar = x.ulike(), wBar = w.ulike(), bBar = Nd4j.create(x.dataType(), w.size(1));
        INDArray b = Nd4j.zeros(x.dataType(), w.size(1));
        Nd4j.exec(DynamicCustomOp.builder("deconv2d_bp").addInputs(x, w, b, yBar).addOutputs(xBar, wBar, bBar)
                .addIntegerArguments(geometry(k, stride, 0, true)).build());
        return new INDArray[] {xBar, wBar, bBar};
    }
}

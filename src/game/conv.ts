/**
 * The 3x3 convolution of the VGG extractor, trainable on backends without a filter gradient.
 *
 * TF.js 4.22's wasm backend registers no Conv2DBackpropFilter kernel, so `tf.grad` through
 * `tf.conv2d` fails there. For a 3x3 'same' convolution with stride 1, the filter gradient of tap
 * (i, j) is a matrix product: dW[i, j] = X_ij^T dY, where X_ij [N*H*W, Cin] is the zero-padded
 * input shifted by (i, j) and dY [N*H*W, Cout] the output gradient. Nine such products (im2col one
 * tap at a time, so only one shifted copy of the input exists at once) give the filter gradient.
 *
 * The input gradient is a forward convolution too (see `inputGradient`). wasm has a
 * Conv2DBackpropInput kernel, but for VGG16's layers at batch 32 it ran at 2.5-5 GFLOP/s, against
 * 24-32 GFLOP/s for the equivalent `tf.conv2d` (TF.js 4.22, 2-core x86-64 machine, Node 20).
 */
import * as tf from '@tensorflow/tfjs';
import { matMul } from './matmul';

/** Side of the square kernel. */
const KERNEL = 3;

const convolutionWithFilterGradient = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  // customGrad passes inputs and the save function as one rest parameter.
  const [x, filter, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
  save([x, filter]);
  return {
    value: tf.conv2d(x, filter, 1, 'same'),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xSaved, filterSaved] = saved as [tf.Tensor4D, tf.Tensor4D];
      return [inputGradient(dy as tf.Tensor4D, filterSaved), filterGradient(xSaved, dy as tf.Tensor4D)];
    },
  };
});

/**
 * Computes the gradient of a 3x3 'same' convolution with stride 1 with respect to its input:
 * dy [N, H, W, Cout] and filter [3, 3, Cin, Cout] give [N, H, W, Cin]. It is the 'same'
 * convolution of dy with the filter turned by 180 degrees and its channel axes swapped,
 * the result of `tf.conv2dTranspose(dy, filter, xShape, 1, 'same')` computed by `tf.conv2d`.
 */
export function inputGradient(dy: tf.Tensor4D, filter: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const turned = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D; // [3, 3, Cout, Cin]
    return tf.conv2d(dy, turned, 1, 'same');
  });
}

/**
 * Returns the gradient of a 3x3 'same' convolution with respect to its filter:
 * x [N, H, W, Cin] and dy [N, H, W, Cout] give [3, 3, Cin, Cout].
 */
export function filterGradient(x: tf.Tensor4D, dy: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, height, width, inChannels] = x.shape;
    const outChannels = dy.shape[3];
    const rows = n * height * width;
    const dy2d = tf.reshape(dy, [rows, outChannels]) as tf.Tensor2D;
    // [Cin, N, H + 2, W + 2]: channels first, so each shifted window reshapes to X_ij^T directly.
    const padded = tf.transpose(tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]), [3, 0, 1, 2]);
    const taps: tf.Tensor2D[] = [];
    for (let i = 0; i < KERNEL; i++) {
      for (let j = 0; j < KERNEL; j++) {
        taps.push(
          tf.tidy(() => {
            const shiftedT = tf.reshape(tf.slice(padded, [0, 0, i, j], [inChannels, n, height, width]), [inChannels, rows]);
            return matMul(shiftedT as tf.Tensor2D, dy2d); // [Cin, Cout]
          }),
        );
      }
    }
    return tf.reshape(tf.stack(taps), [KERNEL, KERNEL, inChannels, outChannels]) as tf.Tensor4D;
  });
}

/** Returns whether the active backend has its own filter gradient for `tf.conv2d`. */
export function hasNativeFilterGradient(): boolean {
  return tf.getKernel('Conv2DBackpropFilter', tf.getBackend()) !== undefined;
}

/** 3x3 'same' convolution with stride 1 whose filter gradient is computed by `filterGradient`. */
export function conv3x3WithFilterGradient(x: tf.Tensor4D, filter: tf.Tensor4D): tf.Tensor4D {
  return convolutionWithFilterGradient(x, filter) as tf.Tensor4D;
}

/**
 * 3x3 'same' convolution with stride 1. Where the backend has a filter gradient kernel (cpu,
 * webgl, webgpu), TF.js' own gradient is used; elsewhere (wasm) `filterGradient` replaces it.
 */
export function conv3x3(x: tf.Tensor4D, filter: tf.Tensor4D): tf.Tensor4D {
  return hasNativeFilterGradient() ? tf.conv2d(x, filter, 1, 'same') : conv3x3WithFilterGradient(x, filter);
}

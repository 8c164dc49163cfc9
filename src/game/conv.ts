/**
 * The 3x3 convolution of the VGG extractor, trainable on backends without a filter gradient.
 *
 * TF.js 4.22's wasm backend registers no Conv2DBackpropFilter kernel, so `tf.grad` through
 * `tf.conv2d` fails there. For a 3x3 'same' convolution with stride 1, the filter gradient is
 * dW[i, j, c, k] = sum over n, y, x of Xpad[n, y + i, x + j, c] * dY[n, y, x, k], where Xpad is
 * the input zero-padded by 1. With images moved to the channel axis and channels to the batch
 * axis, that sum is a 'valid' convolution of Xpad by dY, so `filterGradient` runs on XNNPACK's
 * convolution like the forward pass.
 *
 * The input gradient is a forward convolution too (see `inputGradient`). wasm has a
 * Conv2DBackpropInput kernel, but for VGG16's layers at batch 32 it ran at 2.5-5 GFLOP/s, against
 * 24-32 GFLOP/s for the equivalent `tf.conv2d` (TF.js 4.22, 2-core x86-64 machine, Node 20).
 */
import * as tf from '@tensorflow/tfjs';

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
 *
 * An earlier form, nine matrix products of shifted input copies, spent much of its time in wasm's
 * Slice kernel. Over VGG16's 13 layers at batch 128 it took 5.0-5.6 s against 4.1-4.5 s for this
 * convolution (3 alternating rounds on a loaded 2-core machine, TF.js 4.22 wasm in Node 20).
 */
export function filterGradient(x: tf.Tensor4D, dy: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    // [Cin, H + 2, W + 2, N]: each input channel becomes an image whose channels are the batch's images.
    const input = tf.pad(tf.transpose(x, [3, 1, 2, 0]), [[0, 0], [1, 1], [1, 1], [0, 0]]) as tf.Tensor4D;
    const filter = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [H, W, N, Cout]
    const gradient = tf.conv2d(input, filter, 1, 'valid'); // [Cin, 3, 3, Cout]
    return tf.transpose(gradient, [1, 2, 0, 3]) as tf.Tensor4D;
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

/**
 * Matrix product whose forward and backward passes use only untransposed products.
 *
 * TF.js' wasm backend sends a product to XNNPACK only when neither operand is transposed
 * (tensorflow/tfjs pull request 2532). A transposed operand falls back to a kernel that measured
 * 10 to 40 times slower for the LSTM's shapes. The gradients TF.js registers for matMul use
 * transposed operands, so this op transposes explicitly instead, in both passes.
 */
import * as tf from '@tensorflow/tfjs';

const product = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  // customGrad passes inputs and the save function as one rest parameter.
  const [a, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [aSaved, bSaved] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(bSaved)), tf.matMul(tf.transpose(aSaved), dy as tf.Tensor2D)];
    },
  };
});

/** Returns a @ b for a: [m, k] and b: [k, n]. */
export function matMul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return product(a, b) as tf.Tensor2D;
}

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { matMul } from './matmul';

describe('matMul', () => {
  const a = tf.tensor2d([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const b = tf.tensor2d([
    [1, -1],
    [0, 2],
    [3, 0.5],
  ]);

  it('multiplies like tf.matMul', () => {
    expect(matMul(a, b).arraySync()).toEqual(tf.matMul(a, b).arraySync());
  });

  it('has the gradients of tf.matMul', () => {
    const weights = tf.tensor2d([
      [0.5, -2],
      [1, 3],
    ]);
    const ours = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(matMul(x as tf.Tensor2D, y as tf.Tensor2D), weights)))([a, b]);
    const reference = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D), weights)))([a, b]);
    expect(ours[0]?.arraySync()).toEqual(reference[0]?.arraySync());
    expect(ours[1]?.arraySync()).toEqual(reference[1]?.arraySync());
  });
});

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { gumbelFromUniform, gumbelSoftmaxStraightThrough, relaxedSample, sampleGumbel } from './gumbel';

const logitsValues = [
  [0.5, -1.0, 2.0, 0.1],
  [1.5, 1.4, -0.3, 0.0],
];
const noiseValues = [
  [0.2, 0.7, -0.4, 1.1],
  [-0.5, 0.3, 0.9, 0.05],
];
const weights = tf.tensor2d([
  [1.0, -2.0, 0.5, 3.0],
  [-1.0, 0.25, 2.0, -0.5],
]);

describe('straight-through Gumbel-softmax', () => {
  it('sends the one-hot argmax of logits plus noise forward', () => {
    const hard = gumbelSoftmaxStraightThrough(tf.tensor2d(logitsValues), tf.tensor2d(noiseValues), 0.7);
    // Row 0: 0.7, -0.3, 1.6, 1.2 -> token 2. Row 1: 1.0, 1.7, 0.6, 0.05 -> token 1.
    expect(hard.arraySync()).toEqual([
      [0, 0, 1, 0],
      [0, 1, 0, 0],
    ]);
  });

  it('passes the relaxed sample\u2019s gradient backward', () => {
    const temperature = 0.7;
    const noise = tf.tensor2d(noiseValues);
    const objective = (sample: tf.Tensor) => tf.sum(tf.mul(sample, weights));
    const straightThrough = tf.grad((logits: tf.Tensor) =>
      objective(gumbelSoftmaxStraightThrough(logits as tf.Tensor2D, noise, temperature)),
    )(tf.tensor2d(logitsValues));

    const relaxed = (logits: number[][]) =>
      objective(relaxedSample(tf.tensor2d(logits), noise, temperature)).arraySync() as number;
    const step = 1e-2;
    const gradient = straightThrough.arraySync() as number[][];
    for (const [row, rowValues] of logitsValues.entries()) {
      for (const col of rowValues.keys()) {
        const shifted = (delta: number) => logitsValues.map((r, i) => r.map((v, j) => (i === row && j === col ? v + delta : v)));
        const finiteDifference = (relaxed(shifted(step)) - relaxed(shifted(-step))) / (2 * step);
        expect(gradient[row]?.[col]).toBeCloseTo(finiteDifference, 3);
      }
    }
  });

  it('gives no gradient to the noise', () => {
    const gradient = tf.grad((noise: tf.Tensor) =>
      tf.sum(tf.mul(gumbelSoftmaxStraightThrough(tf.tensor2d(logitsValues), noise as tf.Tensor2D, 1), weights)),
    )(tf.tensor2d(noiseValues));
    expect(Array.from(gradient.dataSync())).toEqual(new Array(8).fill(0));
  });
});

describe('sampleGumbel', () => {
  it('is reproducible from its seed', () => {
    expect(sampleGumbel([3, 5], 42).arraySync()).toEqual(sampleGumbel([3, 5], 42).arraySync());
    expect(sampleGumbel([3, 5], 42).arraySync()).not.toEqual(sampleGumbel([3, 5], 43).arraySync());
  });

  it('stays finite at uniform noise 0 and 1', () => {
    // 1 - 2^-24 is the largest float32 below 1; a uniform draw can round to it or to 1.
    const values = Array.from(gumbelFromUniform(tf.tensor1d([0, 2 ** -30, 0.5, 1 - 2 ** -24, 1])).dataSync());
    expect(values.every(Number.isFinite)).toBe(true);
    expect(values[2]).toBeCloseTo(-Math.log(Math.log(2)), 5);
  });

  it('has the Gumbel distribution\u2019s mean and variance', () => {
    const values = Array.from(sampleGumbel([200, 500], 7).dataSync());
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    // Mean is the Euler-Mascheroni constant, variance pi^2 / 6.
    expect(mean).toBeCloseTo(0.5772, 1);
    expect(variance).toBeCloseTo(Math.PI ** 2 / 6, 1);
    expect(values.every(Number.isFinite)).toBe(true);
  });
});

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { conv3x3WithFilterGradient, filterGradient, inputGradient } from './conv';
import { Rng } from './random';

const SHAPE_X: [number, number, number, number] = [2, 4, 5, 3];
const SHAPE_W: [number, number, number, number] = [3, 3, 3, 2];

function randomTensor(shape: number[], seed: number): tf.Tensor {
  const rng = new Rng(seed);
  return tf.tensor(rng.normalArray(shape.reduce((a, b) => a * b, 1), 1), shape);
}

/** Returns a fixed non-linear objective of the convolution's output, in which every output entry counts differently. */
function objective(x: tf.Tensor4D, filter: tf.Tensor4D): tf.Scalar {
  const weights = randomTensor([2, 4, 5, 2], 99);
  return tf.sum(tf.mul(tf.tanh(conv3x3WithFilterGradient(x, filter)), weights));
}

/** Central finite difference of `objective` along one entry of one input. */
function finiteDifference(x: tf.Tensor4D, filter: tf.Tensor4D, which: 0 | 1, index: number, step = 1e-2): number {
  const shifted = (delta: number): number => {
    const target = which === 0 ? x : filter;
    const values = target.dataSync().slice();
    values[index] = (values[index] as number) + delta;
    const moved = tf.tensor(values, target.shape) as tf.Tensor4D;
    const value = which === 0 ? objective(moved, filter) : objective(x, moved);
    return value.dataSync()[0] as number;
  };
  return (shifted(step) - shifted(-step)) / (2 * step);
}

describe('3x3 convolution with its own filter gradient', () => {
  it('computes the same output as tf.conv2d', () => {
    const x = randomTensor(SHAPE_X, 1) as tf.Tensor4D;
    const filter = randomTensor(SHAPE_W, 2) as tf.Tensor4D;
    const expected = tf.conv2d(x, filter, 1, 'same').dataSync();
    const actual = conv3x3WithFilterGradient(x, filter).dataSync();
    expect(Array.from(actual)).toEqual(Array.from(expected));
  });

  it('matches finite differences for filter and input', () => {
    const x = randomTensor(SHAPE_X, 3) as tf.Tensor4D;
    const filter = randomTensor(SHAPE_W, 4) as tf.Tensor4D;
    const [dx, dFilter] = tf.grads((a: tf.Tensor, b: tf.Tensor) => objective(a as tf.Tensor4D, b as tf.Tensor4D))([x, filter]);
    const dxValues = (dx as tf.Tensor).dataSync();
    const dFilterValues = (dFilter as tf.Tensor).dataSync();
    for (const index of [0, 7, 17, 31, 53, 89, 107, 119]) {
      expect(dxValues[index]).toBeCloseTo(finiteDifference(x, filter, 0, index), 2);
    }
    for (const index of [0, 5, 13, 22, 30, 41, 50, 53]) {
      expect(dFilterValues[index]).toBeCloseTo(finiteDifference(x, filter, 1, index), 2);
    }
  });

  it('sums input times output gradient over every position', () => {
    // One image, one channel in and out, dy all ones: dW[i, j] is the sum of the padded input shifted by (i, j).
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const dy = tf.ones([1, 2, 2, 1]) as tf.Tensor4D;
    const gradient = Array.from(filterGradient(x, dy).dataSync());
    // Padded input rows: [0 0 0 0], [0 1 2 0], [0 3 4 0], [0 0 0 0]; each tap sums a 2x2 window.
    expect(gradient).toEqual([1, 3, 2, 4, 10, 6, 3, 7, 4]);
  });

  it('computes the input gradient of tf.conv2dTranspose', () => {
    for (const [shapeX, outChannels] of [
      [[2, 4, 5, 3], 2],
      [[1, 3, 3, 4], 6],
      [[3, 1, 2, 2], 5],
    ] as [[number, number, number, number], number][]) {
      const [n, height, width, inChannels] = shapeX;
      const dy = randomTensor([n, height, width, outChannels], 5) as tf.Tensor4D;
      const filter = randomTensor([3, 3, inChannels, outChannels], 6) as tf.Tensor4D;
      const expected = tf.conv2dTranspose(dy, filter, shapeX, 1, 'same').dataSync();
      const actual = inputGradient(dy, filter);
      expect(actual.shape).toEqual(shapeX);
      const values = actual.dataSync();
      for (const [index, value] of expected.entries()) expect(values[index]).toBeCloseTo(value, 4);
    }
  });

  it('matches a direct sum for the filter gradient', () => {
    const [n, height, width, inChannels, outChannels] = [2, 3, 4, 2, 3];
    const x = randomTensor([n, height, width, inChannels], 7) as tf.Tensor4D;
    const dy = randomTensor([n, height, width, outChannels], 8) as tf.Tensor4D;
    const xValues = x.dataSync();
    const dyValues = dy.dataSync();
    const gradient = filterGradient(x, dy).dataSync();
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        for (let c = 0; c < inChannels; c++) {
          for (let k = 0; k < outChannels; k++) {
            let sum = 0;
            for (let b = 0; b < n; b++) {
              for (let y = 0; y < height; y++) {
                for (let col = 0; col < width; col++) {
                  const sourceY = y + i - 1;
                  const sourceX = col + j - 1;
                  if (sourceY < 0 || sourceY >= height || sourceX < 0 || sourceX >= width) continue;
                  const input = xValues[((b * height + sourceY) * width + sourceX) * inChannels + c] as number;
                  sum += input * (dyValues[((b * height + y) * width + col) * outChannels + k] as number);
                }
              }
            }
            expect(gradient[((i * 3 + j) * inChannels + c) * outChannels + k]).toBeCloseTo(sum, 4);
          }
        }
      }
    }
  });
});

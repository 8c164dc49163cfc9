import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { batchSuccess, hingeLoss } from './loss';

// Row i is the game whose target is candidate i.
const scores = tf.tensor2d([
  [3.0, 1.0, 2.5],
  [0.0, 1.0, 0.5],
  [1.0, 2.0, 0.0],
]);

describe('hingeLoss', () => {
  it('matches a hand-computed example with margin 1', () => {
    // Game 0: max(0, 1-3+1) + max(0, 1-3+2.5) = 0 + 0.5.
    // Game 1: max(0, 1-1+0) + max(0, 1-1+0.5) = 0 + 0.5.
    // Game 2: max(0, 1-0+1) + max(0, 1-0+2) = 2 + 3.
    expect(hingeLoss(scores).dataSync()[0]).toBeCloseTo(6 / 3, 6);
  });

  it('is zero once every distractor is a margin below the target', () => {
    const separated = tf.tensor2d([
      [5, 3.9, 4],
      [0, 1, -2],
      [-3, -1, 0],
    ]);
    expect(hingeLoss(separated).dataSync()[0]).toBe(0);
  });

  it('follows the margin argument', () => {
    // Margin 2: game 0 costs 0 + 1.5, game 1 costs 1 + 1.5, game 2 costs 3 + 4.
    expect(hingeLoss(scores, 2).dataSync()[0]).toBeCloseTo(11 / 3, 6);
  });
});

describe('batchSuccess', () => {
  it('counts games whose target beats every distractor', () => {
    expect(batchSuccess(scores).dataSync()[0]).toBeCloseTo(2 / 3, 6);
  });

  it('counts a tie with a distractor as a failure', () => {
    expect(batchSuccess(tf.ones([4, 4])).dataSync()[0]).toBe(0);
  });
});

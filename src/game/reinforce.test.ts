import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { MeanBaseline, messageEntropy, messageLogProb, reinforceLoss } from './reinforce';

describe('REINFORCE', () => {
  it('raises the logit of a sampled token whose loss is below the baseline', () => {
    // One position, three tokens; game 0 sampled token 1 with loss 0.2, game 1 sampled token 2 with loss 1.8.
    const tokens = [tf.tensor2d([[0, 1, 0], [0, 0, 1]])];
    const alive = [tf.ones([2, 1]) as tf.Tensor2D];
    const losses = tf.tensor1d([0.2, 1.8]);
    const baseline = tf.scalar(1);
    const gradient = tf.grad((logits: tf.Tensor) => {
      const logProb = messageLogProb([logits as tf.Tensor2D], tokens, alive);
      return reinforceLoss(losses, logProb, messageEntropy([logits as tf.Tensor2D], alive), baseline, 0);
    })(tf.zeros([2, 3]));
    const values = gradient.arraySync() as number[][];
    // Gradient descent moves logits against the gradient: up for game 0's token 1, down for game 1's token 2.
    expect(values[0]?.[1]).toBeLessThan(0);
    expect(values[1]?.[2]).toBeGreaterThan(0);
    // Advantage (0.2 - 1) / 2 games times d log softmax / d logit (1 - 1/3) at uniform logits.
    expect(values[0]?.[1]).toBeCloseTo((-0.8 / 2) * (2 / 3), 5);
  });

  it('moves a toy policy to the rewarded token', () => {
    const logits = tf.variable(tf.zeros([1, 4]));
    const optimizer = tf.train.sgd(0.5);
    const lossOf = [1, 1, 0, 1]; // token 2 wins the game
    const baseline = new MeanBaseline();
    for (let step = 0; step < 200; step++) {
      const probabilities = tf.softmax(logits).dataSync();
      // Deterministic sampling by inverse CDF on a fixed sequence, enough for a toy check.
      const u = (step * 0.618034) % 1;
      let token = 0;
      for (let cumulative = probabilities[0] as number; cumulative < u && token < 3; cumulative += probabilities[++token] as number);
      const oneHot = [tf.oneHot([token], 4).toFloat() as tf.Tensor2D];
      const losses = tf.tensor1d([lossOf[token] as number]);
      optimizer.minimize(() => {
        const logProb = messageLogProb([logits as tf.Tensor2D], oneHot, [tf.ones([1, 1]) as tf.Tensor2D]);
        return reinforceLoss(losses, logProb, tf.zeros([1]) as tf.Tensor1D, baseline.value, 0);
      });
      baseline.update(losses);
    }
    const final = tf.softmax(logits).dataSync();
    expect(final[2]).toBeGreaterThan(0.9);
    baseline.dispose();
  });

  it('counts log probabilities and entropy only while the message is alive', () => {
    const logits = [tf.zeros([1, 2]) as tf.Tensor2D, tf.zeros([1, 2]) as tf.Tensor2D];
    const tokens = [tf.tensor2d([[1, 0]]), tf.tensor2d([[0, 1]])];
    const alive = [tf.ones([1, 1]) as tf.Tensor2D, tf.zeros([1, 1]) as tf.Tensor2D];
    expect(messageLogProb(logits, tokens, alive).dataSync()[0]).toBeCloseTo(Math.log(0.5), 6);
    expect(messageEntropy(logits, alive).dataSync()[0]).toBeCloseTo(Math.log(2), 6);
  });

  it('keeps the baseline at the mean loss of all steps', () => {
    const baseline = new MeanBaseline();
    baseline.update(tf.tensor1d([1, 3]));
    baseline.update(tf.tensor1d([5, 5]));
    expect(baseline.value.dataSync()[0]).toBeCloseTo(3.5, 6);
    baseline.dispose();
  });
});

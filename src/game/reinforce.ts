/**
 * REINFORCE for the sender (Williams, 1992), with a running-mean baseline and an entropy bonus.
 *
 * The sender's tokens are sampled one-hot and carry no gradient. Its surrogate loss is
 * mean_i[(L_i - b) * log p(m_i)] - entropyWeight * mean_i H_i. Here L_i is the receiver's loss on
 * game i, held constant, and b the mean of the losses of earlier steps. log p(m_i) is the log
 * probability of the message up to and including its end-of-sequence token, and H_i the entropy
 * of the sender's token distributions at the same positions. The surrogate's gradient is an
 * unbiased estimate of the gradient of the expected loss, minus the entropy bonus.
 */
import * as tf from '@tensorflow/tfjs';
import { stopGradient } from './gumbel';

/**
 * Log probability of each message: sum over positions t of alive_t * log softmax(logits_t)[token_t].
 * logits, tokens (one-hot): maxLen x [batch, vocabSize]; alive: maxLen x [batch, 1]. Returns [batch].
 */
export function messageLogProb(logits: tf.Tensor2D[], tokens: tf.Tensor2D[], alive: tf.Tensor2D[]): tf.Tensor1D {
  return tf.tidy(() => {
    const perPosition = logits.map((logit, t) => tf.mul(tf.sum(tf.mul(tf.logSoftmax(logit), tokens[t] as tf.Tensor2D), 1, true), alive[t] as tf.Tensor2D));
    return tf.reshape(tf.addN(perPosition), [-1]) as tf.Tensor1D;
  });
}

/** Entropy of the sender's token distributions summed over the positions still alive: [batch]. */
export function messageEntropy(logits: tf.Tensor2D[], alive: tf.Tensor2D[]): tf.Tensor1D {
  return tf.tidy(() => {
    const perPosition = logits.map((logit, t) => {
      const logProbs = tf.logSoftmax(logit);
      return tf.mul(tf.neg(tf.sum(tf.mul(tf.exp(logProbs), logProbs), 1, true)), alive[t] as tf.Tensor2D);
    });
    return tf.reshape(tf.addN(perPosition), [-1]) as tf.Tensor1D;
  });
}

/**
 * Returns the sender's surrogate loss. `perGameLoss` [batch] is treated as a constant; `baseline`
 * is a scalar.
 */
export function reinforceLoss(
  perGameLoss: tf.Tensor1D,
  logProb: tf.Tensor1D,
  entropy: tf.Tensor1D,
  baseline: tf.Scalar,
  entropyWeight: number,
): tf.Scalar {
  return tf.tidy(() => {
    const advantage = stopGradient(tf.sub(perGameLoss, baseline));
    return tf.sub(tf.mean(tf.mul(advantage, logProb)), tf.mul(entropyWeight, tf.mean(entropy))) as tf.Scalar;
  });
}

/** Running mean of the mean loss of every step so far: the REINFORCE baseline. */
export class MeanBaseline {
  readonly value: tf.Variable<tf.Rank.R0>;
  private steps = 0;

  constructor() {
    const zero = tf.scalar(0);
    this.value = tf.variable(zero, false);
    zero.dispose();
  }

  /** Steps folded into the mean so far. */
  get stepCount(): number {
    return this.steps;
  }

  /** Sets the number of steps already folded into `value`, when a saved run is restored. */
  restoreStepCount(steps: number): void {
    this.steps = steps;
  }

  /** Folds one step's per-game losses [batch] into the mean, in place. */
  update(perGameLoss: tf.Tensor1D): void {
    this.steps++;
    const weight = 1 / this.steps;
    tf.tidy(() => {
      this.value.assign(tf.add(this.value, tf.mul(tf.sub(tf.mean(perGameLoss), this.value), weight)) as tf.Scalar);
    });
  }

  dispose(): void {
    this.value.dispose();
  }
}

/**
 * The receiver's hinge loss and the in-graph success of a training batch.
 *
 * `scores` is [batch, batch]: row i is the game whose target is image i, column j is candidate j,
 * so the diagonal contains the targets' scores and every other entry a distractor's.
 */
import * as tf from '@tensorflow/tfjs';
import { HINGE_MARGIN } from './config';

/**
 * Returns the mean over games of sum_{j != i} max(0, margin - s_ii + s_ij) (Havrylov & Titov,
 * 2017, eq. 2): a distractor costs nothing once its score is at least `margin` below the target's.
 */
export function hingeLoss(scores: tf.Tensor2D, margin = HINGE_MARGIN): tf.Scalar {
  return tf.tidy(() => tf.mean(hingeLossPerGame(scores, margin)));
}

/** Returns each game's hinge loss sum_{j != i} max(0, margin - s_ii + s_ij): [batch]. */
export function hingeLossPerGame(scores: tf.Tensor2D, margin = HINGE_MARGIN): tf.Tensor1D {
  return tf.tidy(() => {
    const batch = scores.shape[0];
    const isTarget = tf.eye(batch);
    const targetScores = tf.sum(tf.mul(scores, isTarget), 1, true); // [batch, 1]
    const violations = tf.relu(tf.add(tf.sub(margin, targetScores), scores));
    return tf.sum(tf.mul(violations, tf.sub(1, isTarget)), 1) as tf.Tensor1D;
  });
}

/** Returns the fraction of games whose target scores strictly above every distractor. */
export function batchSuccess(scores: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const batch = scores.shape[0];
    const isTarget = tf.cast(tf.eye(batch), 'bool');
    const targetScores = tf.sum(tf.where(isTarget, scores, tf.zerosLike(scores)), 1);
    const bestDistractor = tf.max(tf.where(isTarget, tf.fill([batch, batch], -Infinity), scores), 1);
    return tf.mean(tf.cast(tf.greater(targetScores, bestDistractor), 'float32'));
  });
}

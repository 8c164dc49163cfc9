/**
 * The second task of Mihai & Hare (2019): predicting by how many quarter turns the sender's image
 * was rotated (4 classes). The sender predicts from its image features, and the receiver from its
 * LSTM's last hidden state, so the receiver's prediction can only use the message's content.
 */
import * as tf from '@tensorflow/tfjs';
import type { RotationTask } from './config';
import { ROTATIONS } from './images';
import { type DenseParams, type ParamStore, createDense, dense } from './layers';

/** A two-layer perceptron: input -> hidden (ReLU) -> 4 rotation logits. */
export interface RotationHead {
  hidden: DenseParams;
  output: DenseParams;
}

/** Weight of the sender's rotation loss: loss = 0.5 * rotation + game (Mihai & Hare, 2019). */
export const SENDER_ROTATION_WEIGHT = 0.5;

/**
 * Weight of the receiver's rotation loss. Batches alternate between 5 * rotation and
 * 5 * rotation + game (Mihai & Hare, 2019).
 */
export const RECEIVER_ROTATION_WEIGHT = 5;

/** Creates the head of the agent that predicts the rotation, or null when none does. */
export function createRotationHead(store: ParamStore, task: RotationTask, featureSize: number, hiddenSize: number): RotationHead | null {
  switch (task) {
    case 'none':
      return null;
    case 'sender-predicts':
      return createHead(store, 'sender/rotation', featureSize, hiddenSize);
    case 'receiver-predicts':
      return createHead(store, 'receiver/rotation', hiddenSize, hiddenSize);
  }
}

function createHead(store: ParamStore, name: string, inputSize: number, hiddenSize: number): RotationHead {
  return {
    hidden: createDense(store, `${name}/hidden`, inputSize, hiddenSize),
    output: createDense(store, `${name}/output`, hiddenSize, ROTATIONS),
  };
}

/** Returns rotation logits [batch, 4] for inputs [batch, inputSize]. */
export function rotationLogits(head: RotationHead, x: tf.Tensor2D): tf.Tensor2D {
  return dense(head.output, tf.relu(dense(head.hidden, x)));
}

/** Returns each game's cross-entropy of the rotation logits against quarter turns [batch] (int32): [batch]. */
export function rotationCrossEntropy(logits: tf.Tensor2D, quarterTurns: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const targets = tf.oneHot(quarterTurns, ROTATIONS);
    return tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1)) as tf.Tensor1D;
  });
}

/** Returns the fraction of games whose most likely rotation is the true one. */
export function rotationAccuracy(logits: tf.Tensor2D, quarterTurns: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(quarterTurns, 'int32')), 'float32')));
}

/**
 * Returns whether the game loss is part of the objective of step `step` (0-based). Under the
 * receiver-predicts task, odd steps train on the rotation alone and even steps on rotation + game.
 * Every step of the other tasks trains on the game.
 */
export function stepIncludesGame(task: RotationTask, step: number): boolean {
  switch (task) {
    case 'none':
    case 'sender-predicts':
      return true;
    case 'receiver-predicts':
      return step % 2 === 0;
  }
}

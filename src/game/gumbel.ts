/**
 * The straight-through Gumbel-softmax estimator (Jang et al., 2017; Maddison et al., 2017).
 *
 * Sampling a token is not differentiable. The Gumbel-max trick draws a token as
 * argmax(logits + g) with g ~ Gumbel(0, 1); the straight-through estimator sends that one-hot
 * token forward and, backward, uses the gradient of the relaxed sample
 * softmax((logits + g) / temperature) in its place.
 */
import * as tf from '@tensorflow/tfjs';

/** Smallest value kept away from 0 and 1 before taking logarithms of uniform noise. */
const NOISE_EPSILON = 1e-10;

/** Draws standard Gumbel noise -log(-log(u)), u uniform in (0, 1), from a seed. */
export function sampleGumbel(shape: [number, number], seed: number): tf.Tensor2D {
  return tf.tidy(() => {
    const u = tf.randomUniform(shape, NOISE_EPSILON, 1 - NOISE_EPSILON, 'float32', seed);
    return tf.neg(tf.log(tf.neg(tf.log(u)))) as tf.Tensor2D;
  });
}

/** Relaxed sample softmax((logits + gumbel) / temperature): [batch, vocabSize]. */
export function relaxedSample(logits: tf.Tensor2D, gumbel: tf.Tensor2D, temperature: number): tf.Tensor2D {
  return tf.softmax(tf.div(tf.add(logits, gumbel), temperature)) as tf.Tensor2D;
}

/**
 * Returns one-hot tokens argmax(logits + gumbel): [batch, vocabSize], whose gradient with
 * respect to logits is that of `relaxedSample`.
 */
export function gumbelSoftmaxStraightThrough(
  logits: tf.Tensor2D,
  gumbel: tf.Tensor2D,
  temperature: number,
): tf.Tensor2D {
  const vocabSize = logits.shape[1];
  // customGrad passes inputs and the save function as one rest parameter; its typing cannot say which is which.
  const estimator = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [logitsIn, gumbelIn, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    const soft = relaxedSample(logitsIn, gumbelIn, temperature);
    save([soft]);
    const hard = tf.oneHot(tf.argMax(soft, 1), vocabSize).toFloat();
    return {
      value: hard,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [softSaved] = saved as [tf.Tensor2D];
        // Jacobian-vector product of the softmax: soft * (dy - <dy, soft>) / temperature.
        const inner = tf.sum(tf.mul(dy, softSaved), 1, true);
        const dLogits = tf.div(tf.mul(softSaved, tf.sub(dy, inner)), temperature);
        return [dLogits, tf.zerosLike(gumbelIn)];
      },
    };
  });
  return estimator(logits, gumbel) as tf.Tensor2D;
}

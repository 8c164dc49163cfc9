/**
 * The Gumbel-softmax estimators (Jang et al., 2017; Maddison et al., 2017).
 *
 * Sampling a token is not differentiable. The Gumbel-max trick draws a token as
 * argmax(logits + g) with g ~ Gumbel(0, 1). The straight-through estimator sends that one-hot
 * token forward and, backward, uses the gradient of the relaxed sample
 * softmax((logits + g) / temperature) in its place.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * Distance kept between uniform noise and 0 or 1 before taking logarithms. It must survive float32:
 * 1 - 1e-10 rounds to exactly 1, which made -log(-log(u)) infinite and the gradient NaN.
 */
const NOISE_EPSILON = 1e-6;

/** Draws standard Gumbel noise -log(-log(u)), u uniform in (0, 1), from a seed. */
export function sampleGumbel(shape: [number, number], seed: number): tf.Tensor2D {
  return tf.tidy(() => gumbelFromUniform(tf.randomUniform(shape, 0, 1, 'float32', seed)) as tf.Tensor2D);
}

/** Maps uniform noise u in [0, 1] to Gumbel noise -log(-log(u)), finite even at u = 0 or 1. */
export function gumbelFromUniform(u: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const clipped = tf.clipByValue(u, NOISE_EPSILON, 1 - NOISE_EPSILON);
    return tf.neg(tf.log(tf.neg(tf.log(clipped))));
  });
}

/** A temperature: one value for the whole batch, or one per game as [batch, 1]. */
export type Temperature = number | tf.Tensor2D;

/** Relaxed sample softmax((logits + gumbel) / temperature): [batch, vocabSize]. */
export function relaxedSample(logits: tf.Tensor2D, gumbel: tf.Tensor2D, temperature: Temperature): tf.Tensor2D {
  return tf.softmax(tf.div(tf.add(logits, gumbel), temperature)) as tf.Tensor2D;
}

/**
 * Returns one-hot tokens argmax(logits + gumbel): [batch, vocabSize], whose gradient with
 * respect to logits (and to a tensor temperature) is that of `relaxedSample`.
 */
export function gumbelSoftmaxStraightThrough(
  logits: tf.Tensor2D,
  gumbel: tf.Tensor2D,
  temperature: Temperature,
): tf.Tensor2D {
  const vocabSize = logits.shape[1];
  const tau = typeof temperature === 'number' ? tf.fill([logits.shape[0], 1], temperature) : temperature;
  // customGrad passes the inputs and the save function as one rest parameter, and its typing does not distinguish them.
  const estimator = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [logitsIn, gumbelIn, tauIn, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    const scaled = tf.div(tf.add(logitsIn, gumbelIn), tauIn);
    const soft = tf.softmax(scaled);
    save([soft, scaled, tauIn]);
    const hard = tf.oneHot(tf.argMax(soft, 1), vocabSize).toFloat();
    return {
      value: hard,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [softSaved, scaledSaved, tauSaved] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        // Jacobian-vector product of the softmax: dScaled = soft * (dy - <dy, soft>).
        const inner = tf.sum(tf.mul(dy, softSaved), 1, true);
        const dScaled = tf.mul(softSaved, tf.sub(dy, inner));
        // scaled = (logits + gumbel) / tau, so d/dtau = -<dScaled, scaled> / tau.
        const dTau = tf.neg(tf.div(tf.sum(tf.mul(dScaled, scaledSaved), 1, true), tauSaved));
        return [tf.div(dScaled, tauSaved), tf.zerosLike(gumbelIn), dTau];
      },
    };
  });
  return estimator(logits, gumbel, tau) as tf.Tensor2D;
}

const identityWithoutGradient = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [input] = args as [tf.Tensor];
  return { value: tf.clone(input), gradFunc: (dy: tf.Tensor) => [tf.zerosLike(dy)] };
});

/** Returns x unchanged, with no gradient flowing back to it (TF.js 4.22 has no `tf.stopGradient`). */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return identityWithoutGradient(x) as T;
}

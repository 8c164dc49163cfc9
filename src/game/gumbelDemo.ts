/**
 * The arithmetic behind the page's Gumbel-softmax demonstration, on a handful of tokens in plain
 * numbers, so that every figure the page shows can be checked by hand.
 *
 * The Gumbel-max trick (Jang, Gu & Poole, 2017; Maddison, Mnih & Teh, 2017) draws a token with
 * probability softmax(logits) as argmax(logits + g), g ~ Gumbel(0, 1). The straight-through
 * estimator (Bengio, Léonard & Courville, 2013) sends that one-hot token forward and, backward,
 * the gradient of the relaxed sample softmax((logits + g) / temperature).
 */
import type { Rng } from './random';

/**
 * Distance kept between uniform noise and 0 or 1 before taking logarithms, as in `gumbel.ts`:
 * the noise then stays within about [-2.6, 13.8].
 */
const NOISE_EPSILON = 1e-6;

/** The figures of one straight-through Gumbel-softmax sample, one entry per token. */
export interface GumbelDemoSample {
  /** logits + noise, whose argmax is the sampled token. */
  perturbed: number[];
  /** Index of the sampled token: the first maximum of `perturbed`. */
  hardIndex: number;
  /** One-hot sample sent forward: 1 at `hardIndex`, 0 elsewhere. */
  hard: number[];
  /** Relaxed sample softmax(perturbed / temperature), which sums to 1. */
  soft: number[];
  /**
   * Gradient of the sampled token's relaxed probability with respect to each logit,
   * d soft[k] / d logits[j] = soft[k] (δkj − soft[j]) / temperature with k = hardIndex: what the
   * straight-through estimator passes back where the one-hot sample itself has zero gradient.
   */
  straightThroughGradient: number[];
}

/** Draws `count` standard Gumbel values -log(-log(u)), u uniform in (0, 1), from `rng`. */
export function drawGumbelNoise(rng: Rng, count: number): number[] {
  const noise: number[] = [];
  for (let i = 0; i < count; i++) {
    const u = Math.min(Math.max(rng.next(), NOISE_EPSILON), 1 - NOISE_EPSILON);
    noise.push(-Math.log(-Math.log(u)));
  }
  return noise;
}

/** Returns softmax(values), subtracting the maximum first so that large values cannot overflow. */
export function softmax(values: readonly number[]): number[] {
  const max = Math.max(...values);
  const exps = values.map((value) => Math.exp(value - max));
  const total = exps.reduce((sum, value) => sum + value, 0);
  return exps.map((value) => value / total);
}

/** Returns the index of the first largest value. */
export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) {
    if ((values[i] ?? -Infinity) > (values[best] ?? -Infinity)) best = i;
  }
  return best;
}

/**
 * Computes the hard and relaxed samples of tokens with `logits` for the Gumbel `noise` drawn, at
 * `temperature`. Throws on mismatched lengths, an empty or non-finite input, or a temperature
 * that is not positive.
 */
export function gumbelDemoSample(logits: readonly number[], noise: readonly number[], temperature: number): GumbelDemoSample {
  if (logits.length === 0 || logits.length !== noise.length) {
    throw new Error(`expected as many noise values as logits (at least 1), got ${noise.length} noise values for ${logits.length} logits`);
  }
  if (![...logits, ...noise].every(Number.isFinite)) throw new Error('logits and noise must be finite numbers');
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new Error(`the temperature must be a positive number, got ${temperature}`);

  const perturbed = logits.map((logit, i) => logit + (noise[i] ?? 0));
  const hardIndex = argmax(perturbed);
  const hard = perturbed.map((_, i) => (i === hardIndex ? 1 : 0));
  // Shifted by the maximum before the division, so that large logits at low temperatures cannot overflow.
  const maxPerturbed = perturbed[hardIndex] ?? 0;
  const soft = softmax(perturbed.map((value) => (value - maxPerturbed) / temperature));

  const chosen = soft[hardIndex] ?? 0;
  const straightThroughGradient = soft.map((probability, j) => (chosen * ((j === hardIndex ? 1 : 0) - probability)) / temperature);
  return { perturbed, hardIndex, hard, soft, straightThroughGradient };
}

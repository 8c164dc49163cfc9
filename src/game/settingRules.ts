/**
 * Rules of the numeric settings: their accepted ranges, and the parser that checks the text typed
 * in the settings panel or found in an experiment link against them.
 */

/** Settings edited as text and validated before they reach `config`. */
export type NumericField =
  | 'learningRate'
  | 'temperature'
  | 'evalInterval'
  | 'seed'
  | 'batchSize'
  | 'vocabSize'
  | 'maxLen'
  | 'hiddenSize'
  | 'embeddingSize'
  | 'evalGames'
  | 'minTemperature'
  | 'annealRate'
  | 'entropyWeight'
  | 'noiseStd'
  | 'maxSteps'
  | 'featureCacheMB';

/** Accepted range of one numeric setting. */
export interface NumericRule {
  integer: boolean;
  min: number;
  /** When true, `min` itself is rejected (the value must be greater than `min`). */
  minExclusive: boolean;
  max: number;
}

/**
 * Accepted ranges of the numeric settings. The upper bounds catch typos that would stall the tab,
 * and are not limits of the method.
 */
export const NUMERIC_RULES: Record<NumericField, NumericRule> = {
  // Far above 1, Adam's steps make the weights overflow within a few steps (NaN from about 1e20
  // on the narrow backbone): the range lets a lecture show a diverging run and its recovery.
  learningRate: { integer: false, min: 0, minExclusive: true, max: 1e30 },
  temperature: { integer: false, min: 0, minExclusive: true, max: 100 },
  evalInterval: { integer: true, min: 1, minExclusive: false, max: 100_000 },
  // The seed feeds a 32-bit generator.
  seed: { integer: true, min: 0, minExclusive: false, max: 4_294_967_295 },
  // A game needs a target and at least one distractor.
  batchSize: { integer: true, min: 2, minExclusive: false, max: 1024 },
  // The end-of-sequence token plus at least one other token.
  vocabSize: { integer: true, min: 2, minExclusive: false, max: 10_000 },
  maxLen: { integer: true, min: 1, minExclusive: false, max: 32 },
  hiddenSize: { integer: true, min: 1, minExclusive: false, max: 4096 },
  embeddingSize: { integer: true, min: 1, minExclusive: false, max: 4096 },
  // CIFAR-10 has 10,000 test images and each one is the target of at most one evaluation game.
  evalGames: { integer: true, min: 1, minExclusive: false, max: 10_000 },
  minTemperature: { integer: false, min: 0, minExclusive: true, max: 100 },
  annealRate: { integer: false, min: 0, minExclusive: false, max: 1 },
  entropyWeight: { integer: false, min: 0, minExclusive: false, max: 100 },
  // On the 0-1 pixel scale: 1 already drowns every image.
  noiseStd: { integer: false, min: 0, minExclusive: false, max: 1 },
  maxSteps: { integer: true, min: 0, minExclusive: false, max: 10_000_000 },
  featureCacheMB: { integer: true, min: 0, minExclusive: false, max: 100_000 },
};

const DECIMAL_PATTERN = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Result of parsing a numeric setting typed by the user. */
export type ParsedNumber = { ok: true; value: number } | { ok: false; message: string };

/** Describes a rule's range in words, e.g. "a whole number from 2 to 1024". */
export function describeRule(rule: NumericRule): string {
  const kind = rule.integer ? 'a whole number' : 'a number';
  if (rule.minExclusive) {
    return `${kind} greater than ${rule.min} and at most ${rule.max}`;
  }
  return `${kind} from ${rule.min} to ${rule.max}`;
}

/** Parses and validates the text of a numeric setting against its rule. */
export function parseNumericField(field: NumericField, text: string): ParsedNumber {
  const rule = NUMERIC_RULES[field];
  const trimmed = text.trim();
  const expected = `Enter ${describeRule(rule)}.`;

  if (trimmed === '') {
    return { ok: false, message: `Missing value. ${expected}` };
  }
  if (!DECIMAL_PATTERN.test(trimmed)) {
    return { ok: false, message: `"${trimmed}" is not a number. ${expected}` };
  }

  const value = Number(trimmed);
  const belowMin = rule.minExclusive ? value <= rule.min : value < rule.min;
  if (!Number.isFinite(value) || belowMin || value > rule.max) {
    return { ok: false, message: `${trimmed} is out of range. ${expected}` };
  }
  if (rule.integer && !Number.isInteger(value)) {
    return { ok: false, message: `${trimmed} is not a whole number. ${expected}` };
  }
  return { ok: true, value };
}

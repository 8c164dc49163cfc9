import { describe, expect, it } from 'vitest';
import {
  type LanguageSummary,
  type TokenIds,
  averageRanks,
  cosineDistances,
  editDistance,
  entropyBits,
  hashingIndex,
  sampleImages,
  spearmanCorrelation,
  summariseLanguage,
  tabulateMessages,
  tokenUsageByPosition,
  topographicSimilarity,
} from './language';
import { Rng } from './random';

const CLASSES = 10;

/** Labels of `images` images, classes in turn: 0, 1, ..., 9, 0, 1, ... */
function roundRobinLabels(images: number): number[] {
  return Array.from({ length: images }, (_, i) => i % CLASSES);
}

/** Features that are the one-hot class, so images of a class are at distance 0 and others at 1. */
function classFeatures(labels: readonly number[]): number[][] {
  return labels.map((label) => Array.from({ length: CLASSES }, (_, c) => (c === label ? 1 : 0)));
}

/** Summarises a language over all its images, every image sampled for topographic similarity. */
function summarise(messages: TokenIds[], labels: number[], vocabSize: number, maxLen: number): LanguageSummary {
  const sampled = sampleImages(messages.length, 256, 1);
  const features = classFeatures(sampled.map((image) => labels[image] as number));
  return summariseLanguage({
    messages,
    labels,
    classes: CLASSES,
    maxLen,
    vocabSize,
    sample: { images: sampled, featureDistances: cosineDistances(features) },
  });
}

describe('language of a perfect class code', () => {
  // Five images per class, and class c sends [c + 1, c + 11] and ends.
  const labels = roundRobinLabels(50);
  const messages = labels.map((label) => [label + 1, label + 11, 0]);
  const summary = summarise(messages, labels, 21, 3);

  it('has one message per class', () => {
    expect(summary.distinctMessages).toBe(10);
    expect(summary.classCount).toBe(10);
    expect(summary.imageCount).toBe(50);
    expect(summary.hashingIndex).toBe(0);
  });

  it('has the entropy of ten equally likely messages', () => {
    expect(summary.entropyBits).toBeCloseTo(Math.log2(10), 12);
  });

  it('is pure and consistent in every class', () => {
    expect(summary.purity).toBe(1);
    for (const entry of summary.perClass) {
      expect(entry.images).toBe(5);
      expect(entry.distinctMessages).toBe(1);
      expect(entry.topMessageShare).toBe(1);
      expect(entry.purity).toBe(1);
      expect(summary.messages[entry.topMessage]?.tokens).toEqual([entry.label + 1, entry.label + 11, 0]);
    }
  });

  it('mirrors the class distances exactly', () => {
    expect(summary.topographicPairs).toBe((50 * 49) / 2);
    expect(summary.topographicSimilarity).toBeCloseTo(1, 12);
  });

  it('counts tokens by position', () => {
    expect(summary.tokenUsage).toHaveLength(3);
    expect(summary.tokenUsage[0]?.[1]).toBe(5);
    expect(summary.tokenUsage[0]?.[11]).toBe(0);
    expect(summary.tokenUsage[1]?.[11]).toBe(5);
    expect(summary.tokenUsage[2]?.[0]).toBe(50);
  });

  it('maps each image to its class message', () => {
    for (const [image, messageIndex] of summary.imageMessages.entries()) {
      expect(summary.messages[messageIndex]?.tokens).toEqual(messages[image]);
    }
  });
});

describe('language of a pure hash', () => {
  // Every image sends its own token and ends.
  const labels = roundRobinLabels(50);
  const messages = labels.map((_, image) => [image + 1, 0]);
  const summary = summarise(messages, labels, 51, 2);

  it('has one message per image', () => {
    expect(summary.distinctMessages).toBe(50);
    expect(summary.hashingIndex).toBeCloseTo(1, 12);
    expect(summary.entropyBits).toBeCloseTo(Math.log2(50), 12);
  });

  it('is trivially pure but never consistent', () => {
    expect(summary.purity).toBe(1);
    for (const entry of summary.perClass) {
      expect(entry.distinctMessages).toBe(5);
      expect(entry.topMessageShare).toBeCloseTo(0.2, 12);
    }
  });

  it('has no topographic similarity when all message distances are equal', () => {
    expect(summary.topographicSimilarity).toBeNaN();
  });
});

describe('language of a constant message', () => {
  const labels = roundRobinLabels(50);
  const messages = labels.map(() => [7, 0]);
  const summary = summarise(messages, labels, 10, 2);

  it('has one message for all classes', () => {
    expect(summary.distinctMessages).toBe(1);
    expect(summary.entropyBits).toBe(0);
    expect(summary.hashingIndex).toBeCloseTo(Math.log(1 / 10) / Math.log(50 / 10), 12);
    expect(summary.hashingIndex).toBeLessThan(0);
  });

  it('has the purity of the class shares', () => {
    expect(summary.purity).toBeCloseTo(0.1, 12);
    for (const entry of summary.perClass) {
      expect(entry.purity).toBeCloseTo(0.1, 12);
      expect(entry.topMessageShare).toBe(1);
    }
  });

  it('has no topographic similarity', () => {
    expect(summary.topographicSimilarity).toBeNaN();
  });
});

describe('random language', () => {
  const labels = roundRobinLabels(2000);

  it('of one token from ten looks like ten names that mean nothing', () => {
    const rng = new Rng(42);
    const messages = labels.map(() => [1 + rng.int(10), 0]);
    const summary = summarise(messages, labels, 11, 2);
    expect(summary.distinctMessages).toBe(10);
    expect(summary.hashingIndex).toBe(0);
    expect(summary.entropyBits).toBeGreaterThan(Math.log2(10) - 0.02);
    expect(summary.entropyBits).toBeLessThanOrEqual(Math.log2(10) + 1e-12);
    // Expected purity is about 0.1045 (class shares plus sampling noise); a naming code has 1.
    expect(summary.purity).toBeGreaterThan(0.1);
    expect(summary.purity).toBeLessThan(0.12);
    expect(Math.abs(summary.topographicSimilarity)).toBeLessThan(0.05);
  });

  it('of five tokens from a hundred is almost a hash', () => {
    const rng = new Rng(43);
    const messages = labels.map(() => Array.from({ length: 5 }, () => 1 + rng.int(99)));
    const summary = summarise(messages, labels, 100, 5);
    expect(summary.hashingIndex).toBeGreaterThan(0.99);
    expect(summary.purity).toBeGreaterThan(0.99);
    expect(Math.abs(summary.topographicSimilarity)).toBeLessThan(0.05);
  });
});

describe('tabulateMessages', () => {
  it('orders messages by count, then by first appearance', () => {
    const table = tabulateMessages([[2, 0], [1, 0], [1, 0], [3], [2, 0]], [0, 1, 1, 2, 0], 3);
    expect(table.messages.map((m) => m.tokens)).toEqual([[2, 0], [1, 0], [3]]);
    expect(table.messages.map((m) => m.count)).toEqual([2, 2, 1]);
    expect(table.messages.map((m) => m.classCounts)).toEqual([[2, 0, 0], [0, 2, 0], [0, 0, 1]]);
    expect(table.imageMessages).toEqual([0, 1, 1, 2, 0]);
  });

  it('tells a message that ended from one that reached maxLen', () => {
    expect(tabulateMessages([[4, 0], [4]], [0, 0], 1).messages).toHaveLength(2);
  });

  it('rejects labels outside the classes', () => {
    expect(() => tabulateMessages([[1]], [3], 3)).toThrow(/label 3 of image 0 is outside 0..2/);
    expect(() => tabulateMessages([[1]], [], 3)).toThrow(/one label per message/);
  });
});

describe('hashingIndex', () => {
  it('is 0 at one message per class and 1 at one per image', () => {
    expect(hashingIndex(10, 1024, 10)).toBe(0);
    expect(hashingIndex(1024, 1024, 10)).toBeCloseTo(1, 12);
  });

  it('is halfway on the log scale at the geometric mean', () => {
    expect(hashingIndex(Math.sqrt(10 * 1000), 1000, 10)).toBeCloseTo(0.5, 12);
  });

  it('is undefined without more images than classes', () => {
    expect(hashingIndex(5, 10, 10)).toBeNaN();
  });
});

describe('entropyBits', () => {
  it('is 1 bit for two equal counts and 0 for one', () => {
    expect(entropyBits([3, 3])).toBe(1);
    expect(entropyBits([6, 0])).toBe(0);
  });

  it('matches a hand-computed value', () => {
    // p = 1/2, 1/4, 1/4: 0.5 * 1 + 2 * 0.25 * 2 = 1.5 bits.
    expect(entropyBits([2, 1, 1])).toBeCloseTo(1.5, 12);
  });
});

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(editDistance([1, 2, 3], [1, 4, 3])).toBe(1);
    expect(editDistance([1, 2, 0], [1, 2, 3, 4, 5])).toBe(3);
    expect(editDistance([], [1, 2])).toBe(2);
    expect(editDistance([5, 1, 2], [1, 2])).toBe(1);
  });
});

describe('spearmanCorrelation', () => {
  it('gives tied values their mean rank', () => {
    expect(Array.from(averageRanks([5, 6, 7, 8, 7]))).toEqual([1, 2, 3.5, 5, 3.5]);
  });

  it('matches a hand-computed value with ties', () => {
    // Ranks [1..5] and [1, 2, 3.5, 5, 3.5]: covariance 8, variances 10 and 9.5.
    expect(spearmanCorrelation([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])).toBeCloseTo(8 / Math.sqrt(95), 12);
  });

  it('is -1 for a reversed order and NaN for a constant sample', () => {
    expect(spearmanCorrelation([1, 2, 3], [30, 20, 10])).toBeCloseTo(-1, 12);
    expect(spearmanCorrelation([1, 2, 3], [4, 4, 4])).toBeNaN();
  });
});

describe('topographicSimilarity', () => {
  it('is 1 for a compositional code of compositional features', () => {
    // Image (a, b) has features one-hot(a) ++ one-hot(b) and sends [a + 1, b + 4], so both
    // distances count the attributes that differ.
    const pairs = [0, 1, 2].flatMap((a) => [0, 1, 2].map((b) => [a, b] as const));
    const features = pairs.map(([a, b]) => [0, 1, 2].map((v) => (v === a ? 1 : 0)).concat([0, 1, 2].map((v) => (v === b ? 1 : 0))));
    const messages = pairs.map(([a, b]) => [a + 1, b + 4]);
    const result = topographicSimilarity(messages, cosineDistances(features));
    expect(result.pairs).toBe(36);
    expect(result.value).toBeCloseTo(1, 12);
  });

  it('rejects a distance matrix of the wrong size', () => {
    expect(() => topographicSimilarity([[1], [2]], [0, 1, 1])).toThrow(/2x2 distance matrix/);
  });
});

describe('sampleImages', () => {
  it('is sorted, distinct and the same for the same seed', () => {
    const sample = sampleImages(1000, 64, 9);
    expect(sample).toHaveLength(64);
    expect(new Set(sample).size).toBe(64);
    expect(sample).toEqual([...sample].sort((a, b) => a - b));
    expect(sampleImages(1000, 64, 9)).toEqual(sample);
  });

  it('takes every image when there are fewer than asked', () => {
    expect(sampleImages(5, 64, 9)).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('tokenUsageByPosition', () => {
  it('rejects tokens outside the vocabulary and messages over maxLen', () => {
    expect(() => tokenUsageByPosition([[12]], 2, 10)).toThrow(/token 12 is outside/);
    expect(() => tokenUsageByPosition([[1, 2, 3]], 2, 10)).toThrow(/longer than maxLen 2/);
  });
});

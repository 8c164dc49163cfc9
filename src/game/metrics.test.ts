import { describe, expect, it } from 'vitest';
import { Rng } from './random';
import { rankCandidates, scoreGames, summariseGames } from './metrics';

describe('rankCandidates', () => {
  it('orders by score, best first', () => {
    expect(rankCandidates([0.1, 0.9, 0.5, -1], 0)).toEqual([1, 2, 0, 3]);
  });

  it('puts the target after candidates tied with it', () => {
    expect(rankCandidates([1, 1, 1], 0)).toEqual([1, 2, 0]);
    expect(rankCandidates([1, 1, 1], 2)).toEqual([0, 1, 2]);
  });
});

describe('scoreGames on hand-made rankings', () => {
  // Six candidates; classes: 0 0 1 1 0 2.
  const labels = [0, 0, 1, 1, 0, 2];
  // prettier-ignore
  const scores = [
    // Game 0: order 0 4 1 2 3 5 -> target rank 1, class-0 images in top 5: 0, 4, 1 -> 3; distractor ranks 2 and 3.
    9, 7, 6, 5, 8, 1,
    // Game 1: order 5 4 3 2 0 1 -> target rank 6, class-0 in top 5: 4, 0 -> 2; distractor ranks 2 and 5.
    2, 1, 3, 4, 5, 6,
    // Game 2: order 3 2 ... -> target rank 2; class 1 in top 5: 3, 2 -> 2; distractor rank 1.
    0, 0, 5, 6, 0, 0,
    // Game 3: every score equal -> target last (rank 6); class 1 in top 5: candidate 2 -> 1; distractor rank 3.
    1, 1, 1, 1, 1, 1,
    // Game 4: order 4 0 1 2 3 5 -> rank 1; class 0 in top 5: 4 0 1 -> 3; distractor ranks 2 and 3.
    5, 4, 3, 2, 6, 1,
    // Game 5: order 0 1 2 3 4 5 -> rank 6; class 2 in top 5: none; no distractor of class 2.
    6, 5, 4, 3, 2, 1,
  ];
  const outcomes = scoreGames(scores, labels);

  it('gives each game its target rank', () => {
    expect(outcomes.map((o) => o.targetRank)).toEqual([1, 6, 2, 6, 1, 6]);
  });

  it('counts target-class images in the top 5', () => {
    expect(outcomes.map((o) => o.targetClassInTopK)).toEqual([3, 2, 2, 1, 3, 0]);
  });

  it('averages the ranks of same-class distractors', () => {
    expect(outcomes.map((o) => o.targetClassAvgRank)).toEqual([2.5, 3.5, 1, 3, 2.5, NaN]);
  });

  it('summarises the four metrics', () => {
    const metrics = summariseGames(outcomes);
    expect(metrics.games).toBe(6);
    expect(metrics.commSuccess).toBeCloseTo(2 / 6, 10);
    expect(metrics.commSuccessStd).toBeCloseTo(Math.sqrt((2 / 6) * (4 / 6)), 10);
    expect(metrics.top5Success).toBeCloseTo(3 / 6, 10);
    expect(metrics.targetClassInTop5).toBeCloseTo(11 / 6, 10);
    expect(metrics.targetClassAvgRank).toBeCloseTo((2.5 + 3.5 + 1 + 3 + 2.5) / 5, 10);
  });

  it('rejects scores of the wrong size', () => {
    expect(() => scoreGames([1, 2, 3], [0, 1])).toThrow(/expected 2x2 scores/);
  });
});

describe('summariseGames on random rankings', () => {
  it('matches the analytic expectations', () => {
    const rng = new Rng(3);
    const batch = 128;
    const blocks = 60;
    const outcomes = [];
    let expectedClassInTop5 = 0;
    for (let block = 0; block < blocks; block++) {
      const labels = Array.from({ length: batch }, () => rng.int(10));
      const scores = Array.from({ length: batch * batch }, () => rng.next());
      outcomes.push(...scoreGames(scores, labels));
      // A game whose target's class has k images in the block expects 5 k / batch of them in the top 5.
      for (const label of labels) expectedClassInTop5 += (5 * labels.filter((l) => l === label).length) / batch;
    }
    const metrics = summariseGames(outcomes);
    const games = batch * blocks;
    const tolerance = (p: number) => 4 * Math.sqrt((p * (1 - p)) / games);

    expect(Math.abs(metrics.commSuccess - 1 / batch)).toBeLessThan(tolerance(1 / batch));
    expect(Math.abs(metrics.top5Success - 5 / batch)).toBeLessThan(tolerance(5 / batch));
    expect(metrics.targetClassInTop5).toBeCloseTo(expectedClassInTop5 / games, 1);
    // Each distractor's rank is uniform over 1..batch.
    expect(metrics.targetClassAvgRank).toBeCloseTo((batch + 1) / 2, 0);
  });
});

import { describe, expect, it } from 'vitest';
import { chartSummary, trendOf } from './chartSummary';

describe('chartSummary', () => {
  it('says when there are no points', () => {
    expect(chartSummary('Training loss', [], [{ name: 'loss', values: [] }])).toBe('Training loss: no points yet.');
  });

  it('describes a single point', () => {
    expect(chartSummary('Training loss', [1], [{ name: 'loss', values: [31] }])).toBe('Training loss: 1 point at step 1. loss: latest 31 at step 1.');
  });

  it('gives latest, range and trend of every line', () => {
    const steps = [10, 20, 30, 40];
    const summary = chartSummary('Held-out success', steps, [
      { name: 'success', values: [0.1, 0.2, 0.3, 0.45] },
      { name: 'top-5', values: [0.5, 0.5, 0.5, 0.5] },
    ]);
    expect(summary).toBe(
      'Held-out success: 4 points from step 10 to 40. success: latest 0.45 at step 40, minimum 0.1, maximum 0.45, rising. ' +
        'top-5: latest 0.5 at step 40, minimum 0.5, maximum 0.5, flat.',
    );
  });

  it('rounds to 4 significant digits', () => {
    expect(chartSummary('Loss', [1, 2], [{ name: 'loss', values: [3.14159, 2.71828] }])).toContain('latest 2.718 at step 2, minimum 2.718, maximum 3.142');
  });

  it('skips values that are not finite', () => {
    expect(chartSummary('Loss', [1, 2, 3], [{ name: 'loss', values: [NaN, 4, 2] }])).toContain('minimum 2, maximum 4, falling');
  });
});

describe('trendOf', () => {
  it('reads a falling series', () => {
    expect(trendOf([100, 80, 60, 40, 30, 20, 10, 5])).toBe('falling');
  });

  it('reads a rising series', () => {
    expect(trendOf([0, 0.1, 0.2, 0.4])).toBe('rising');
  });

  it('reads small changes as flat', () => {
    expect(trendOf([1, 5, 1.05, 1.02])).toBe('flat');
  });

  it('reads fewer than two values as flat', () => {
    expect(trendOf([3])).toBe('flat');
    expect(trendOf([])).toBe('flat');
  });

  it('ignores one noisy last point', () => {
    expect(trendOf([10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1, 1, 12])).toBe('falling');
  });
});

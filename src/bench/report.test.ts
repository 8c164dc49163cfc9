import { describe, expect, it } from 'vitest';
import { emptyPartTimes } from '../game/stepTiming';
import { benchNotes, benchTable, caseRow, formatSpread, formatTable, median, modelFlopUtilisation, peakMatmulThroughput, spreadOf } from './report';
import type { BackendResult, CaseResult } from './results';

function caseResult(overrides: Partial<CaseResult> = {}): CaseResult {
  return {
    name: 'random-frozen/clean',
    backend: 'wasm',
    batchSize: 128,
    substitution: null,
    stepMs: [1000, 800, 1200],
    instrumentedMs: [1100],
    parts: [{ ...emptyPartTimes(), batch: 10, sender: 400, receiver: 350, loss: 20, optimiser: 300 }],
    peakBytes: 250e6,
    tensorGrowth: 0,
    flops: { extractor: 0, sender: 8e9, receiver: 7e9, loss: 1e9, total: 16e9 },
    ...overrides,
  };
}

describe('median', () => {
  it('takes the middle of an odd count', () => {
    expect(median([5, 1, 3])).toBe(3);
  });

  it('averages the middle two of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it('rejects no values', () => {
    expect(() => median([])).toThrow(/no values/);
  });
});

describe('spreadOf and formatSpread', () => {
  it('finds median and range', () => {
    expect(spreadOf([2, 9, 4])).toEqual({ median: 4, min: 2, max: 9, count: 3 });
  });

  it('prints median and range', () => {
    expect(formatSpread(spreadOf([2, 9, 4]), 1)).toBe('4.0 (2.0-9.0)');
  });

  it('prints a lone value without range', () => {
    expect(formatSpread(spreadOf([12.345]), 2)).toBe('12.35');
  });
});

describe('formatTable', () => {
  it('pads every column to its widest cell', () => {
    const table = formatTable(['a', 'long header'], [['wide cell', 'x'], ['b', 'y']]);
    expect(table.split('\n')).toEqual([
      '| a         | long header |',
      '|-----------|-------------|',
      '| wide cell | x           |',
      '| b         | y           |',
    ]);
  });

  it('leaves missing cells blank', () => {
    expect(formatTable(['a', 'b'], [['1']]).split('\n')[2]).toBe('| 1 |   |');
  });
});

describe('model FLOP utilisation', () => {
  it('divides achieved by measured throughput', () => {
    // 16 GFLOP in 1 s against 32 GFLOP/s is 50%.
    expect(modelFlopUtilisation(16e9, 1000, 32)).toBeCloseTo(0.5, 10);
  });

  it('takes the fastest product as the peak', () => {
    expect(peakMatmulThroughput([
      { m: 1, k: 1, n: 1, gflopsPerSecond: [10, 30, 20] },
      { m: 2, k: 2, n: 2, gflopsPerSecond: [25, 26, 24] },
    ])).toBe(30);
  });
});

describe('benchTable', () => {
  it('prints one row per case with its figures', () => {
    const row = caseRow(caseResult(), 'wasm', 32);
    // Step median 1000 ms: 128 games/s; 16 GFLOP/s achieved of 32 is 50%.
    expect(row).toEqual([
      'random-frozen/clean',
      'wasm',
      '128.0 (106.7-160.0)',
      '1000 (800-1200)',
      '10',
      '0',
      '400',
      '350',
      '20',
      '300',
      '1100',
      '250',
      '0',
      '16.0',
      '32.0',
      '50%',
    ]);
  });

  it('marks a substituted case and explains it below', () => {
    const substituted = caseResult({ name: 'pretrained-fixed/clean', substitution: 'timed with random weights' });
    const backend: BackendResult = { backend: 'wasm', label: 'wasm', skipped: null, details: 'SIMD, 1 thread', matmul: [{ m: 8, k: 8, n: 8, gflopsPerSecond: [32] }], cases: [substituted] };
    expect(benchTable([backend])).toContain('| pretrained-fixed/clean * |');
    expect(benchNotes([backend])).toContain('* pretrained-fixed/clean: timed with random weights.');
  });

  it('prints a skipped backend with its reason', () => {
    const skipped: BackendResult = { backend: 'webgpu', label: 'webgpu', skipped: 'the only adapter is a software renderer', details: '', matmul: [], cases: [] };
    expect(benchTable([skipped])).toContain('| (every case) | webgpu  | skipped |');
    expect(benchNotes([skipped])).toEqual(['webgpu: skipped, because the only adapter is a software renderer.']);
  });
});

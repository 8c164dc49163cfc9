import { describe, expect, it } from 'vitest';
import { type MemorySample, describeSoak, processTreeRssKb } from './soakReport';

const PS_OUTPUT = `
    1     0   5000
  100     1   2000
  101   100    300
  102   101     40
  200     1   7000
  103   102      6
`;

function sampleAt(minutes: number, tensorCount: number, errors = 0): MemorySample {
  return { minutes, step: minutes * 100, gamesPerSecond: 150, tensorCount, tensorMB: 40, pageHeapMB: 30, browserRssMB: 900, errors };
}

describe('processTreeRssKb', () => {
  it('sums a process and all its descendants', () => {
    expect(processTreeRssKb(PS_OUTPUT, 100)).toBe(2000 + 300 + 40 + 6);
  });

  it('counts a process without children alone', () => {
    expect(processTreeRssKb(PS_OUTPUT, 200)).toBe(7000);
  });

  it('returns 0 for an unknown process', () => {
    expect(processTreeRssKb(PS_OUTPUT, 999)).toBe(0);
  });
});

describe('describeSoak', () => {
  it('passes a flat tensor count without errors', () => {
    const report = describeSoak([sampleAt(1, 120), sampleAt(2, 120)]);
    expect(report.ok).toBe(true);
    expect(report.rows).toHaveLength(2);
    expect(report.summary).toMatch(/tensors 120 -> 120 \(flat\)/);
  });

  it('fails a growing tensor count', () => {
    const report = describeSoak([sampleAt(1, 120), sampleAt(2, 121)]);
    expect(report.ok).toBe(false);
    expect(report.summary).toMatch(/CHANGED/);
  });

  it('fails when an error is on screen', () => {
    expect(describeSoak([sampleAt(1, 120), sampleAt(2, 120, 1)]).ok).toBe(false);
  });

  it('fails without samples', () => {
    expect(describeSoak([]).ok).toBe(false);
  });
});

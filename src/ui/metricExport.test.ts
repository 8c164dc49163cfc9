import { describe, expect, it } from 'vitest';
import type { EvalRecord, StepRecord } from '../worker/protocol';
import { metricHistoryCsv, metricHistoryJson } from './metricExport';

function stepRecord(step: number): StepRecord {
  return { step, loss: 100 / step, trainSuccess: step / 100, gamesPerSecond: 50, elapsedMs: step * 20 };
}

function evalRecord(step: number): EvalRecord {
  return { step, games: 128, commSuccess: 0.5, commSuccessStd: 0.5, top5Success: 0.9, targetClassInTop5: 1.5, targetClassAvgRank: NaN };
}

describe('metricHistoryCsv', () => {
  const steps = Array.from({ length: 25 }, (_, i) => stepRecord(i + 1));
  const evals = [evalRecord(0), evalRecord(10), evalRecord(20)];
  const lines = metricHistoryCsv(steps, evals).trimEnd().split('\n');

  it('has one row per recorded step', () => {
    // 25 training steps plus the evaluation before the first step.
    expect(lines).toHaveLength(1 + 26);
    expect(lines.slice(1).map((line) => Number(line.split(',')[0]))).toEqual(Array.from({ length: 26 }, (_, i) => i));
  });

  it('joins evaluations to their step', () => {
    const header = lines[0]?.split(',') ?? [];
    const row10 = lines[11]?.split(',') ?? [];
    expect(row10[header.indexOf('loss')]).toBe('10');
    expect(row10[header.indexOf('eval_commSuccess')]).toBe('0.5');
    expect(lines[12]?.split(',')[header.indexOf('eval_commSuccess')]).toBe('');
  });

  it('leaves missing and NaN values empty', () => {
    const header = lines[0]?.split(',') ?? [];
    const row0 = lines[1]?.split(',') ?? [];
    expect(row0[header.indexOf('loss')]).toBe('');
    expect(row0[header.indexOf('eval_targetClassAvgRank')]).toBe('');
    expect(row0).toHaveLength(header.length);
  });
});

describe('metricHistoryJson', () => {
  it('keeps every record', () => {
    const parsed = JSON.parse(metricHistoryJson(null, [stepRecord(1)], [evalRecord(0)])) as { steps: unknown[]; evals: unknown[]; version: number };
    expect(parsed.version).toBe(1);
    expect(parsed.steps).toHaveLength(1);
    expect(parsed.evals).toHaveLength(1);
  });
});

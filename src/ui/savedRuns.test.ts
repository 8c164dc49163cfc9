import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN_CONFIG } from '../game/config';
import { SnapshotError, encodeSnapshot } from '../game/snapshot';
import { checkRunFile, describeStorageError } from './savedRuns';

function fileWithHistory(stepLog: unknown[]): ArrayBuffer {
  return encodeSnapshot({
    config: { ...DEFAULT_RUN_CONFIG },
    progress: { step: 1, epochPosition: 0, elapsedMs: 1, rngState: 1, baselineSteps: 0 },
    history: { stepLog, evalLog: [] },
    tensors: new Map([['run/epochOrder', { shape: [1], values: Int32Array.from([0]) }]]),
  });
}

describe('saved runs on the page', () => {
  it('accepts a file whose history has the charted fields', () => {
    const record = { step: 1, loss: 0.9, trainSuccess: 0.1, gamesPerSecond: 50, elapsedMs: 3 };
    const run = checkRunFile(fileWithHistory([record]));
    expect(run.history.stepLog).toEqual([record]);
    expect(run.step).toBe(1);
  });

  it('rejects a history record without a loss', () => {
    expect(() => checkRunFile(fileWithHistory([{ step: 1, trainSuccess: 0.1, gamesPerSecond: 50, elapsedMs: 3 }]))).toThrow(SnapshotError);
    expect(() => checkRunFile(fileWithHistory([{ step: 1 }]))).toThrow("The saved run's step record 1 has loss missing, expected a number.");
  });

  it('says that earlier saves are kept when storage fails', () => {
    expect(describeStorageError(new DOMException('full', 'QuotaExceededError'), 'Storing "a"')).toBe(
      `Storing "a" failed: the browser's storage for this page is full. Earlier saves are kept; delete site data or use the downloaded file instead.`,
    );
    expect(describeStorageError(new Error('this browser offers no IndexedDB'), 'Listing the saved runs')).toMatch(/IndexedDB\) is unavailable \(this browser offers no IndexedDB\)/);
  });
});

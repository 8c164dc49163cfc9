/**
 * The one message protocol between the page and the training worker.
 *
 * The page sends `WorkerRequest`s; the worker answers with `WorkerEvent`s. Both are plain,
 * structured-clonable objects so they cross `postMessage` unchanged.
 */
import type { BackendName, RunConfig } from '../game/config';

/** One CIFAR-10 batch file handed over by the page (file picker or dropped folder). */
export interface DataFile {
  name: string;
  bytes: ArrayBuffer;
}

/** Where the worker reads CIFAR-10 from. */
export type DataSource =
  /** A folder served over HTTP with a `manifest.json` listing the batch files. */
  | { kind: 'url'; baseUrl: string }
  /** Batch files (`data_batch_*.bin`, `test_batch.bin`) or one `cifar-10-binary.tar.gz` archive. */
  | { kind: 'files'; files: DataFile[] };

export type WorkerRequest =
  | { type: 'loadData'; source: DataSource }
  | { type: 'start'; config: RunConfig }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' };

export type RunState = 'idle' | 'starting' | 'running' | 'paused' | 'stopped';

/** Figures of one training step, on the training batch. */
export interface StepRecord {
  step: number;
  /** Mean hinge loss over the batch's games. */
  loss: number;
  /** Fraction of the batch's games whose target the receiver ranked first. */
  trainSuccess: number;
  gamesPerSecond: number;
  elapsedMs: number;
}

/** Metrics of one evaluation on held-out test games (1 target + batchSize - 1 distractors each). */
export interface EvalRecord {
  step: number;
  games: number;
  /** Fraction of games whose target is ranked first. */
  commSuccess: number;
  /** Standard deviation of the per-game success (0 or 1) over games. */
  commSuccessStd: number;
  /** Fraction of games whose target is among the first 5. */
  top5Success: number;
  /** Mean number of images of the target's class, the target included, among the first 5. */
  targetClassInTop5: number;
  /** Mean 1-based rank of the distractors that share the target's class. */
  targetClassAvgRank: number;
}

export type WorkerEvent =
  | { type: 'backend'; backend: BackendName; fallbackReason: string | null }
  | { type: 'dataProgress'; message: string; loadedBytes: number; totalBytes: number }
  | { type: 'dataLoaded'; trainImages: number; testImages: number; sourceLabel: string }
  | { type: 'state'; state: RunState }
  | { type: 'steps'; records: StepRecord[] }
  | { type: 'eval'; record: EvalRecord }
  | { type: 'error'; message: string };

/**
 * The one message protocol between the page and the training worker.
 *
 * The page sends `WorkerRequest`s and the worker replies with `WorkerEvent`s. Both are plain,
 * structured-clonable objects so they cross `postMessage` unchanged.
 */
import type { BackendName, RunConfig } from '../game/config';
import type { LanguageSummary } from '../game/language';
import type { SnapshotHistory } from '../game/snapshot';

/** One CIFAR-10 batch file handed over by the page (file picker or dropped folder). */
export interface DataFile {
  name: string;
  bytes: ArrayBuffer;
}

/** Source of the CIFAR-10 images the worker loads. */
export type DataSource =
  /** A folder served over HTTP with a `manifest.json` listing the batch files. */
  | { kind: 'url'; baseUrl: string }
  /** Batch files (`data_batch_*.bin`, `test_batch.bin`) or one `cifar-10-binary.tar.gz` archive. */
  | { kind: 'files'; files: DataFile[] };

export type WorkerRequest =
  | { type: 'loadData'; source: DataSource }
  /**
   * Starts a run; with `snapshot` (a saved-run file of `config`), continues that run where it stopped.
   * With `paused`, the run is built, evaluated and then waits for `resume` or `step`.
   */
  | { type: 'start'; config: RunConfig; snapshot?: ArrayBuffer; paused?: boolean }
  /** Saves the paused run with the page's metric history. The worker responds with `saved` or `saveFailed`. */
  | { type: 'save'; requestId: number; history: MetricHistory }
  | { type: 'pause' }
  /** Resumes the paused run; with `learningRate`, Adam uses it from the next step on. */
  | { type: 'resume'; learningRate?: number }
  /** Plays one batch of a paused run, which then stays paused. */
  | { type: 'step' }
  | { type: 'stop' }
  /** Replays game `game` of a set for the message inspector. The worker responds with `inspection`. */
  | { type: 'inspect'; requestId: number; set: InspectedSet; game: number }
  /** Measures the language on the held-out games now. The worker responds with `language`. */
  | { type: 'language'; requestId: number }
  /** Requests the pixels of images of a split, for thumbnails. The worker responds with `images`. */
  | { type: 'images'; requestId: number; split: ImageSplit; indices: number[] };

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
  /** Gumbel-softmax temperature of the step (mean over games and positions when learned). */
  temperature?: number;
  /** Fraction of the batch's rotations predicted right; absent without a rotation task. */
  rotationAccuracy?: number;
  /** Tensors alive in the worker after the step (`tf.memory().numTensors`). */
  tensorCount?: number;
  /** Bytes those tensors take on the backend (`tf.memory().numBytes`). */
  tensorBytes?: number;
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
  /** Fraction of the sender's image rotations predicted right; absent without a rotation task. */
  rotationAccuracy?: number;
}

export type WorkerEvent =
  | { type: 'backend'; backend: BackendName; fallbackReason: string | null }
  | { type: 'dataProgress'; message: string; loadedBytes: number; totalBytes: number }
  | { type: 'dataLoaded'; trainImages: number; testImages: number; sourceLabel: string }
  | { type: 'state'; state: RunState }
  | { type: 'steps'; records: StepRecord[] }
  | { type: 'eval'; record: EvalRecord }
  | { type: 'error'; message: string }
  | { type: 'inspection'; requestId: number; inspection: GameInspection }
  /** A language report: `requestId` is null when the run sent it by itself after an evaluation or a pause. */
  | { type: 'language'; requestId: number | null; report: LanguageReport }
  /** Pixels of the requested images, interleaved HWC bytes in request order: [indices.length, 32, 32, 3]. */
  | { type: 'images'; requestId: number; split: ImageSplit; indices: number[]; pixels: Uint8Array }
  /** The saved-run file of a `save` request (see src/game/snapshot.ts). */
  | { type: 'saved'; requestId: number; bytes: ArrayBuffer }
  | { type: 'saveFailed'; requestId: number; message: string }
  /** An `inspect`, `language` or `images` request that failed, with the reason. */
  | { type: 'inspectionFailed'; requestId: number; message: string }
  /**
   * The run's last good state: a saved-run file with an empty history, sent at the start, on pause
   * and after evaluations. The page restarts from it when the run fails or the worker is lost.
   */
  | { type: 'checkpoint'; step: number; bytes: ArrayBuffer }
  /**
   * The run stopped at `step` because of a fault: its loss or weights stopped being finite
   * ('diverged'), or a step threw, for example out of memory ('failed').
   */
  | { type: 'runFailed'; step: number; cause: RunFailure; message: string }
  /** The GPU device of the WebGPU backend was lost; the worker cannot continue on it. */
  | { type: 'deviceLost'; message: string };

/** Cause of a run's stop before its last step. */
export type RunFailure = 'diverged' | 'failed';

/** Every step and evaluation record of a run, as saved with it. */
export type MetricHistory = SnapshotHistory<StepRecord, EvalRecord>;

/** CIFAR-10 split an image index refers to. */
export type ImageSplit = 'train' | 'test';

/**
 * Games the message inspector browses: the latest training batch, or the held-out test games of
 * evaluation. Both are replayed greedily with the current parameters, as evaluation plays them.
 */
export type InspectedSet = 'trainBatch' | 'heldOut';

/** One game of an inspected set, as listed for browsing. */
export interface InspectedGame {
  /** Index of the target image in its split. */
  image: number;
  label: number;
  /** Token ids of the sender's message, end-of-sequence included when emitted. */
  tokens: number[];
  /** 1-based rank of the target among the game's candidates. */
  targetRank: number;
}

/** A candidate of an inspected game, in the receiver's ranking. */
export interface RankedCandidate {
  /** Index in the inspected set of the game whose target this image is. */
  game: number;
  /** Index of the image in its split. */
  image: number;
  label: number;
  /** Receiver's score: the dot product of its guess and the candidate's features. */
  score: number;
}

/** One replayed game with the receiver's full ranking, and the list of its set's games. */
export interface GameInspection {
  /** Training steps taken by the parameters that played the game. */
  step: number;
  set: InspectedSet;
  split: ImageSplit;
  /** Index of the inspected game in `games`. */
  game: number;
  games: InspectedGame[];
  /** Every candidate of the game, best first; the target is the one whose `game` equals `game`. */
  ranking: RankedCandidate[];
  /** Pixels of the candidates in ranking order, interleaved HWC bytes: [ranking.length, 32, 32, 3]. */
  pixels: Uint8Array;
  /** Worker time spent on the response, in milliseconds; close to 0 when the step's replay was reused. */
  elapsedMs: number;
}

/** Language measures on the held-out games at one step (see `LanguageSummary`). */
export interface LanguageReport extends LanguageSummary {
  step: number;
  /** Test-split index of each analysed image, in the order of `imageMessages`. */
  images: number[];
  /** Class of each analysed image. */
  labels: number[];
  maxLen: number;
  vocabSize: number;
}

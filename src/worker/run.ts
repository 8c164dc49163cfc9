/**
 * One training run: the loop that plays batches of games, streams step records, evaluates on
 * held-out test games at a fixed interval, and obeys pause, resume and stop.
 *
 * It uses no worker API, so tests can drive it directly; the worker only routes messages to it.
 */
import * as tf from '@tensorflow/tfjs';
import { type RunConfig, isExtractorTrainable } from '../game/config';
import { BatchFeeder, type EvalPlan, disposeEvalSet, drawAugmentation, evalSetOf } from '../game/batches';
import { type EvalSet, type Evaluation, ReferentialGame, readStepFigures } from '../game/game';
import type { PretrainedWeights } from '../game/pretrained';
import { Rng } from '../game/random';
import { captureGameTensors, restoreGameTensors } from '../game/gameState';
import { type RunSnapshot, SnapshotError, encodeSnapshot } from '../game/snapshot';
import type { ImageSet } from '../data/cifar10';
import { GameInspector } from './inspection';
import type { EvalRecord, MetricHistory, RunState, StepRecord, WorkerEvent } from './protocol';

/** Sends a worker event; `transfer` lists buffers handed over without a copy. */
export type PostEvent = (event: WorkerEvent, transfer?: Transferable[]) => void;

/** Options of a run's start. */
export interface RunOptions {
  /** Build, restore and evaluate the run, then wait for `resume` or `stepOnce` before the first step. */
  startPaused?: boolean;
}

/** Step records are sent in groups at most this often, so a fast run does not flood the page. */
const STEP_FLUSH_MS = 100;

/** Games per second are averaged over this many recent steps. */
const SPEED_WINDOW_STEPS = 10;

/** Interval at which a save request checks whether the paused loop has parked, in milliseconds. */
const PARK_POLL_MS = 10;

/** Offset that separates the held-out image draw from the run's own generator. */
const EVAL_SEED_OFFSET = 7919;

/** Minimum time between two checkpoints taken after evaluations, in milliseconds. */
const CHECKPOINT_MIN_INTERVAL_MS = 5_000;

/**
 * A checkpoint reads every weight back from the backend, a noticeable pause on the largest models.
 * So checkpoints after evaluations are spaced at least this many times their own duration apart,
 * which keeps them to about 5% of the training time at most.
 */
const CHECKPOINT_COST_FACTOR = 20;

export interface TrainingData {
  train: ImageSet;
  test: ImageSet;
}

export class TrainingRun {
  /** Settings of the run; only the learning rate changes, on `resume`. */
  private config: RunConfig;
  private state: RunState = 'idle';
  private readonly game: ReferentialGame;
  private step = 0;
  private epochOrder: Int32Array = new Int32Array(0);
  private epochPosition = 0;
  private pendingSteps: StepRecord[] = [];
  private lastFlush = 0;
  private recentStepTimes: number[] = [];
  private elapsedMs = 0;
  private resumeWaiter: (() => void) | null = null;
  private evalFeatures: tf.Tensor2D | null = null;
  private evalLabels: number[] = [];
  private readonly feeder: BatchFeeder;
  /** The held-out games, drawn once. */
  private evalPlan: EvalPlan | null = null;
  /** Features of the held-out games, kept between evaluations while the extractor is frozen. */
  private evalSet: EvalSet | null = null;
  /** Train-split indices of the latest training batch; null before the first step. */
  private latestBatch: Int32Array | null = null;
  /** Step of the latest evaluation; -1 before the first. */
  private evaluatedStep = -1;
  /** Steps still to play one at a time while the run stays paused. */
  private singleSteps = 0;
  /** Step of the latest checkpoint; -1 before the first. */
  private checkpointStep = -1;
  private checkpointAt = 0;
  private checkpointMs = 0;
  /** Serves the message inspector and the vocabulary explorer from this run's game and data. */
  readonly inspector: GameInspector;

  /**
   * `pretrained` contains the extractor's weights when `config.extractor` is 'pretrained-fixed', and
   * the run takes ownership of them. With `resumeFrom`, a snapshot saved from a run of `config`, the
   * run continues that run, and its first step is the one after the saved step.
   */
  constructor(
    config: RunConfig,
    private readonly data: TrainingData,
    private readonly post: PostEvent,
    pretrained: PretrainedWeights | null = null,
    private readonly resumeFrom: RunSnapshot | null = null,
    private readonly options: RunOptions = {},
  ) {
    this.config = config;
    if (data.train.count < config.batchSize) {
      throw new Error(`a batch of ${config.batchSize} images needs at least that many training images; ${data.train.count} are loaded`);
    }
    if (data.test.count < config.batchSize) {
      throw new Error(`evaluation games of ${config.batchSize} candidates need at least that many test images; ${data.test.count} are loaded`);
    }
    this.game = new ReferentialGame(config, pretrained);
    this.feeder = new BatchFeeder(this.game, config, data.train.pixels);
    this.inspector = new GameInspector({
      game: this.game,
      images: data,
      step: () => this.step,
      heldOutImages: () => this.evalPlan?.indices ?? null,
      heldOutFeatures: () => this.evalSet,
      trainBatch: () => this.latestBatch,
    });
  }

  /**
   * Runs until stopped, finished or failed, and resolves once the run has released its tensors.
   * A step that diverges or throws ends the run with a `runFailed` event. A snapshot that does not
   * fit the game rejects with a `SnapshotError` before the first step.
   */
  async run(): Promise<void> {
    try {
      if (this.resumeFrom !== null) await this.restore(this.resumeFrom);
      this.setState(this.options.startPaused === true ? 'paused' : 'running');
      this.prepareEvaluation();
      // A resumed run was evaluated at its saved step already, and that record is in its history.
      if (this.resumeFrom === null) await this.evaluate();
      else this.evaluatedStep = this.step;
      await this.checkpoint();
      await this.trainUntilStopped();
    } finally {
      this.flushSteps();
      await this.inspector.close();
      this.release();
      this.setState('stopped');
    }
  }

  private async trainUntilStopped(): Promise<void> {
    while (this.state !== 'stopped') {
      if (this.state === 'paused' && this.singleSteps === 0) {
        await this.park();
        continue;
      }
      if (this.state === 'paused') this.singleSteps--;

      const failure = await this.tryOneStep();
      if (failure !== null) {
        this.flushSteps();
        this.post({ type: 'runFailed', ...failure });
        return;
      }

      const finished = this.config.maxSteps > 0 && this.step >= this.config.maxSteps;
      if (this.step % this.config.evalInterval === 0 || finished) {
        await this.evaluate();
        const interval = Math.max(CHECKPOINT_MIN_INTERVAL_MS, CHECKPOINT_COST_FACTOR * this.checkpointMs);
        if (performance.now() - this.checkpointAt >= interval) await this.checkpoint();
      }
      if (finished) return;
      await yieldToMessages();
    }
  }

  /** Waits, paused, for `resume`, `stepOnce` or `stop`, after bringing the metrics and checkpoint up to the paused step. */
  private async park(): Promise<void> {
    this.flushSteps();
    await this.catchUpOnPause();
    if (this.checkpointStep !== this.step) await this.checkpoint();
    // A resume, step or stop that arrived meanwhile found no waiter to wake.
    if (this.state !== 'paused' || this.singleSteps > 0) return;
    await new Promise<void>((resolve) => (this.resumeWaiter = resolve));
  }

  /** Plays one batch; returns why the run cannot go on, or null when the step went well. */
  private async tryOneStep(): Promise<Omit<Extract<WorkerEvent, { type: 'runFailed' }>, 'type'> | null> {
    const failedStep = this.step + 1;
    try {
      const divergence = await this.trainOneStep();
      return divergence === null ? null : { step: failedStep, cause: 'diverged', message: divergence };
    } catch (error) {
      return { step: failedStep, cause: 'failed', message: failureMessage(`Training failed at step ${failedStep}`, error) };
    }
  }

  /** Sends the run's state as a checkpoint, the state the page returns to after a fault. */
  private async checkpoint(): Promise<void> {
    this.checkpointStep = this.step;
    const started = performance.now();
    const bytes = await this.encodeState({ stepLog: [], evalLog: [] });
    this.checkpointAt = performance.now();
    this.checkpointMs = this.checkpointAt - started;
    this.post({ type: 'checkpoint', step: this.step, bytes }, [bytes]);
  }

  /** Returns the saved-run file of this run with `history`; the run must be paused. */
  async snapshot(history: MetricHistory): Promise<ArrayBuffer> {
    if (this.state !== 'paused') throw new Error(`Only a paused run can be saved; this run is ${this.state}. Pause it, then save.`);
    // Pausing takes effect between steps: wait until the loop has parked, so no step is half done.
    while (this.resumeWaiter === null && this.state === 'paused') await new Promise((resolve) => setTimeout(resolve, PARK_POLL_MS));
    if (this.state !== 'paused') throw new Error(`The run was ${this.state === 'stopped' ? 'stopped' : 'resumed'} before it could be saved.`);
    return this.encodeState(history);
  }

  /** Encodes the game, the loop's counters and `history` as a saved-run file; call it between steps only. */
  private async encodeState(history: MetricHistory): Promise<ArrayBuffer> {
    const tensors = await captureGameTensors(this.game);
    tensors.set('run/epochOrder', { shape: [this.epochOrder.length], values: Int32Array.from(this.epochOrder) });
    const progress = { step: this.step, epochPosition: this.epochPosition, elapsedMs: this.elapsedMs, rngState: this.game.rng.getState(), baselineSteps: this.game.baseline.stepCount };
    return encodeSnapshot({ config: this.config, progress, history, tensors });
  }

  /** Puts the game and the loop's counters in the state of a saved run, before the first step. */
  private async restore(snapshot: RunSnapshot): Promise<void> {
    // The learning rate may change between a saved state and its continuation, as `resume` allows.
    const changed = (Object.keys(this.config) as (keyof RunConfig)[]).filter((key) => key !== 'learningRate' && snapshot.config[key] !== this.config[key]);
    if (changed.length > 0) throw new SnapshotError(`The saved run was trained with other settings (${changed.join(', ')}). Load it again to restore them.`);
    const order = snapshot.tensors.get('run/epochOrder');
    if (order === undefined || !(order.values instanceof Int32Array)) throw new SnapshotError('The saved run has no int32 epoch order. The file is damaged.');
    const outOfRange = order.values.some((index) => index < 0 || index >= this.data.train.count);
    if (outOfRange || snapshot.progress.epochPosition > order.values.length) {
      throw new SnapshotError(`The saved run's epoch order does not fit the ${this.data.train.count} training images loaded now. Load the data the run was trained on.`);
    }
    await restoreGameTensors(this.game, snapshot);
    this.step = snapshot.progress.step;
    this.epochOrder = Int32Array.from(order.values);
    this.epochPosition = snapshot.progress.epochPosition;
    this.elapsedMs = snapshot.progress.elapsedMs;
  }

  pause(): void {
    if (this.state === 'running') this.setState('paused');
  }

  /** Continues a paused run; with `learningRate`, from the next step on, and its snapshots record it. */
  resume(learningRate?: number): void {
    if (this.state !== 'paused') return;
    if (learningRate !== undefined && learningRate !== this.config.learningRate) {
      this.game.setLearningRate(learningRate);
      this.config = { ...this.config, learningRate };
    }
    this.setState('running');
    this.wake();
  }

  /** Plays one more batch of a paused run, which stays paused; ignored while running or stopped. */
  stepOnce(): void {
    if (this.state !== 'paused') return;
    this.singleSteps++;
    this.wake();
  }

  stop(): void {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.wake();
  }

  private wake(): void {
    const waiter = this.resumeWaiter;
    this.resumeWaiter = null;
    waiter?.();
  }

  private setState(state: RunState): void {
    this.state = state;
    this.post({ type: 'state', state });
  }

  /** Plays one batch; returns what diverged when the loss or a weight is no longer finite, else null. */
  private async trainOneStep(): Promise<string | null> {
    const started = performance.now();
    const owned = await this.feeder.next(this.nextBatchIndices());
    const scheduledTemperature = this.game.temperatureNow();
    const result = this.game.trainStep(owned.batch);
    const figures = await readStepFigures(result, this.game.nonFiniteParameterCheck());
    owned.dispose();
    const stepMs = performance.now() - started;
    this.step++;
    this.elapsedMs += stepMs;

    const lossNumber = figures.loss;
    if (!Number.isFinite(lossNumber)) return `Training diverged at step ${this.step}: the loss is ${lossNumber}.`;
    if (!Number.isFinite(figures.parameterCheck)) return `Training diverged at step ${this.step}: some weights are no longer finite (NaN or infinite), while the loss was ${lossNumber.toPrecision(4)}.`;
    const extras: Pick<StepRecord, 'temperature' | 'rotationAccuracy'> = { temperature: figures.temperature ?? scheduledTemperature };
    if (figures.rotationAccuracy !== null) extras.rotationAccuracy = figures.rotationAccuracy;
    this.recordStep(lossNumber, figures.success, stepMs, extras);
    return null;
  }

  private recordStep(loss: number, trainSuccess: number, stepMs: number, extras: Pick<StepRecord, 'temperature' | 'rotationAccuracy'> = {}): void {
    this.recentStepTimes.push(stepMs);
    if (this.recentStepTimes.length > SPEED_WINDOW_STEPS) this.recentStepTimes.shift();
    const windowMs = this.recentStepTimes.reduce((a, b) => a + b, 0);
    const gamesPerSecond = (this.recentStepTimes.length * this.config.batchSize * 1000) / windowMs;
    const memory = tf.memory();
    this.pendingSteps.push({ step: this.step, loss, trainSuccess, gamesPerSecond, elapsedMs: this.elapsedMs, ...extras, tensorCount: memory.numTensors, tensorBytes: memory.numBytes });
    if (performance.now() - this.lastFlush >= STEP_FLUSH_MS) this.flushSteps();
  }

  private flushSteps(): void {
    this.lastFlush = performance.now();
    if (this.pendingSteps.length === 0) return;
    this.post({ type: 'steps', records: this.pendingSteps });
    this.pendingSteps = [];
  }

  /** Returns the next batch of training image indices, reshuffling at each epoch. */
  private nextBatchIndices(): Int32Array {
    const { batchSize } = this.config;
    if (this.epochPosition + batchSize > this.epochOrder.length) {
      this.epochOrder = this.game.rng.permutation(this.data.train.count);
      this.epochPosition = 0;
    }
    const indices = this.epochOrder.subarray(this.epochPosition, this.epochPosition + batchSize);
    this.epochPosition += batchSize;
    this.latestBatch = indices;
    return indices;
  }

  /**
   * Draws the held-out games once, with the sender's augmentation, and computes their features
   * now when the extractor is frozen: every evaluation then replays the same games.
   */
  private prepareEvaluation(): void {
    const { batchSize } = this.config;
    const games = Math.max(batchSize, Math.floor(Math.min(this.config.evalGames, this.data.test.count) / batchSize) * batchSize);
    const rng = new Rng(this.config.seed + EVAL_SEED_OFFSET);
    const indices = rng.permutation(this.data.test.count).subarray(0, games);
    this.evalLabels = Array.from(indices, (index) => this.data.test.labels[index] as number);
    this.evalPlan = { indices, labels: this.evalLabels, augmentation: drawAugmentation(this.config.augmentation, games, rng) };
    if (!isExtractorTrainable(this.config.extractor)) this.computeEvalSet();
  }

  /** Computes the held-out games' features with the extractor as it is now. */
  private computeEvalSet(): EvalSet {
    if (this.evalPlan === null) throw new Error('the held-out games are not drawn yet');
    if (this.evalSet !== null) disposeEvalSet(this.evalSet);
    this.evalSet = evalSetOf(this.game, this.data.test.pixels, this.evalPlan, this.config.noiseStd);
    this.evalFeatures = this.evalSet.receiverFeatures;
    return this.evalSet;
  }

  private async evaluate(): Promise<void> {
    if (this.evalPlan === null) return;
    this.flushSteps();
    // A learned extractor has changed since the last evaluation.
    const set = this.evalSet !== null && !isExtractorTrainable(this.config.extractor) ? this.evalSet : this.computeEvalSet();
    // Pause, stop and inspector requests are served between blocks; none of them changes the game.
    const metrics = await this.game.evaluate(set, [], yieldToMessages);
    this.post({ type: 'eval', record: evalRecordOf(this.step, metrics) });
    this.evaluatedStep = this.step;
    await this.inspector.reportLanguage('when-due', this.post);
  }

  /**
   * Evaluates the paused step unless it was just evaluated, and measures its language, so that
   * the metrics on screen match the games the inspector replays.
   */
  private async catchUpOnPause(): Promise<void> {
    if (this.evaluatedStep !== this.step) await this.evaluate();
    await this.inspector.reportLanguage('when-stale', this.post);
  }

  private release(): void {
    if (this.evalSet !== null) disposeEvalSet(this.evalSet);
    this.evalSet = null;
    this.evalFeatures = null;
    this.game.dispose();
  }
}

/** Turns an evaluation into its record; the rotation accuracy only when a rotation task is trained. */
export function evalRecordOf(step: number, metrics: Evaluation): EvalRecord {
  const record: EvalRecord = {
    step,
    games: metrics.games,
    commSuccess: metrics.commSuccess,
    commSuccessStd: metrics.commSuccessStd,
    top5Success: metrics.top5Success,
    targetClassInTop5: metrics.targetClassInTop5,
    targetClassAvgRank: metrics.targetClassAvgRank,
  };
  if (metrics.rotationAccuracy !== undefined) record.rotationAccuracy = metrics.rotationAccuracy;
  return record;
}

/** Error messages of wasm and WebGPU when an allocation fails. */
const OUT_OF_MEMORY_PATTERN = /out of memory|memory access out of bounds|allocation failed|array buffer allocation/i;

/** Returns `prefix: <reason>`, with what to change when the reason is a failed allocation. */
export function failureMessage(prefix: string, error: unknown): string {
  const reason = (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
  const hint = OUT_OF_MEMORY_PATTERN.test(reason)
    ? ' The model probably does not fit in the memory of the backend: lower the hidden size, embedding size, vocabulary size, message length or batch size.'
    : '';
  return `${prefix}: ${reason}.${hint}`;
}

/** Lets queued messages (pause, stop) run between two steps without the 4 ms timer clamp. */
function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

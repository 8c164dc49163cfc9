/**
 * One training run: the loop that plays batches of games, streams step records, evaluates on
 * held-out test games at a fixed interval, and obeys pause, resume and stop.
 *
 * It uses no worker API, so tests can drive it directly; the worker only routes messages to it.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../game/config';
import { ReferentialGame } from '../game/game';
import { pixelBatch } from '../game/images';
import { Rng } from '../game/random';
import type { ImageSet } from '../data/cifar10';
import type { EvalRecord, RunState, StepRecord, WorkerEvent } from './protocol';

/** Step records are sent in groups at most this often, so a fast run does not flood the page. */
const STEP_FLUSH_MS = 100;

/** Games per second are averaged over this many recent steps. */
const SPEED_WINDOW_STEPS = 10;

/** Offset that separates the held-out image draw from the run's own generator. */
const EVAL_SEED_OFFSET = 7919;

export interface TrainingData {
  train: ImageSet;
  test: ImageSet;
}

export class TrainingRun {
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

  constructor(
    readonly config: RunConfig,
    private readonly data: TrainingData,
    private readonly post: (event: WorkerEvent) => void,
  ) {
    if (data.train.count < config.batchSize) {
      throw new Error(`a batch of ${config.batchSize} images needs at least that many training images; ${data.train.count} are loaded`);
    }
    if (data.test.count < config.batchSize) {
      throw new Error(`evaluation games of ${config.batchSize} candidates need at least that many test images; ${data.test.count} are loaded`);
    }
    this.game = new ReferentialGame(config);
  }

  /** Runs until stopped; resolves once the run has released its tensors. */
  async run(): Promise<void> {
    try {
      this.setState('running');
      this.prepareEvaluation();
      await this.evaluate();
      while (this.state !== 'stopped') {
        if (this.state === 'paused') {
          this.flushSteps();
          await new Promise<void>((resolve) => (this.resumeWaiter = resolve));
          continue;
        }
        const diverged = await this.trainOneStep();
        if (diverged) break;
        if (this.step % this.config.evalInterval === 0) await this.evaluate();
        await yieldToMessages();
      }
    } finally {
      this.flushSteps();
      this.release();
      this.setState('stopped');
    }
  }

  pause(): void {
    if (this.state === 'running') this.setState('paused');
  }

  resume(): void {
    if (this.state !== 'paused') return;
    this.setState('running');
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

  /** Plays one batch; returns true when the loss is no longer finite. */
  private async trainOneStep(): Promise<boolean> {
    const started = performance.now();
    const pixels = pixelBatch(this.data.train.pixels, this.nextBatchIndices());
    const { loss, success } = this.game.trainStep(pixels);
    const [lossValue, successValue] = await Promise.all([loss.data(), success.data()]);
    tf.dispose([pixels, loss, success]);
    const stepMs = performance.now() - started;
    this.step++;
    this.elapsedMs += stepMs;

    const lossNumber = lossValue[0] as number;
    if (!Number.isFinite(lossNumber)) {
      this.post({
        type: 'error',
        message: `Training diverged at step ${this.step}: the loss is ${lossNumber}. The run has stopped; lower the learning rate and train again.`,
      });
      return true;
    }
    this.recordStep(lossNumber, successValue[0] as number, stepMs);
    return false;
  }

  private recordStep(loss: number, trainSuccess: number, stepMs: number): void {
    this.recentStepTimes.push(stepMs);
    if (this.recentStepTimes.length > SPEED_WINDOW_STEPS) this.recentStepTimes.shift();
    const windowMs = this.recentStepTimes.reduce((a, b) => a + b, 0);
    const gamesPerSecond = (this.recentStepTimes.length * this.config.batchSize * 1000) / windowMs;
    this.pendingSteps.push({ step: this.step, loss, trainSuccess, gamesPerSecond, elapsedMs: this.elapsedMs });
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
    return indices;
  }

  /**
   * Draws the held-out images once and, since the extractor is frozen, computes their features
   * once: every evaluation then replays the same games.
   */
  private prepareEvaluation(): void {
    const { batchSize } = this.config;
    const games = Math.max(batchSize, Math.floor(Math.min(this.config.evalGames, this.data.test.count) / batchSize) * batchSize);
    const order = new Rng(this.config.seed + EVAL_SEED_OFFSET).permutation(this.data.test.count).subarray(0, games);
    this.evalLabels = Array.from(order, (index) => this.data.test.labels[index] as number);
    const blocks: tf.Tensor2D[] = [];
    for (let start = 0; start < games; start += batchSize) {
      const pixels = pixelBatch(this.data.test.pixels, order.subarray(start, start + batchSize));
      blocks.push(this.game.features(pixels));
      pixels.dispose();
    }
    this.evalFeatures = tf.concat(blocks);
    tf.dispose(blocks);
  }

  private async evaluate(): Promise<void> {
    if (this.evalFeatures === null) return;
    this.flushSteps();
    const metrics = await this.game.evaluate(this.evalFeatures, this.evalLabels);
    const record: EvalRecord = {
      step: this.step,
      games: metrics.games,
      commSuccess: metrics.commSuccess,
      commSuccessStd: metrics.commSuccessStd,
      top5Success: metrics.top5Success,
      targetClassInTop5: metrics.targetClassInTop5,
      targetClassAvgRank: metrics.targetClassAvgRank,
    };
    this.post({ type: 'eval', record });
  }

  private release(): void {
    this.evalFeatures?.dispose();
    this.evalFeatures = null;
    this.game.dispose();
  }
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

/**
 * The referential game: one sender, one receiver and their shared feature extractor, trained
 * together with Adam on the receiver's hinge loss, optionally with the rotation task.
 */
import * as tf from '@tensorflow/tfjs';
import { type GameConfig, isExtractorTrainable } from './config';
import {
  type ChannelSettings,
  type Message,
  type Reading,
  type ReceiverParams,
  type SenderParams,
  createReceiver,
  createSender,
  readMessageState,
  scoreCandidates,
  sendMessage,
} from './agents';
import { type FeatureExtractor, createFeatureExtractor, disposeExtractor, extractFeatures } from './featureExtractor';
import { sampleGumbel } from './gumbel';
import { type BatchStatistics, ParamStore, updateMovingStatistics } from './layers';
import { batchSuccess, hingeLossPerGame } from './loss';
import { type GameMetrics, type GameOutcome, scoreGames, summariseGames } from './metrics';
import type { PretrainedWeights } from './pretrained';
import { Rng } from './random';
import { MeanBaseline, messageEntropy, messageLogProb, reinforceLoss } from './reinforce';
import {
  RECEIVER_ROTATION_WEIGHT,
  type RotationHead,
  SENDER_ROTATION_WEIGHT,
  createRotationHead,
  rotationAccuracy,
  rotationCrossEntropy,
  rotationLogits,
  stepIncludesGame,
} from './rotation';
import type { StepPartTimer } from './stepTiming';

/** Adam's epsilon, set explicitly because TF.js lowers its default on 16-bit float backends. */
const ADAM_EPSILON = 1e-8;

/** An agent's view of a batch of images: their features, or 0-255 pixels [batch, 32, 32, 3] to encode. */
export type ImageView = { kind: 'features'; features: tf.Tensor2D } | { kind: 'pixels'; pixels: tf.Tensor4D };

/** One training batch. The caller keeps ownership of its tensors. */
export interface TrainBatch {
  /** The sender's view of each target, augmented or not. */
  sender: ImageView;
  /** The candidates the receiver ranks: the clean images. It may be the same object as `sender`. */
  receiver: ImageView;
  /** Quarter turns of each sender image [batch] (int32), the rotation task's labels; null without rotations. */
  quarterTurns: tf.Tensor1D | null;
}

/** Figures of one training step, still on the device: read them with `await data()`. */
export interface TrainStepResult {
  /** Mean hinge loss of the batch's games, whether or not this step trained on it. */
  loss: tf.Scalar;
  success: tf.Scalar;
  /** Mean temperature over games and positions when it is learned; null otherwise (see `temperatureNow`). */
  temperature: tf.Scalar | null;
  /** Fraction of the batch's rotations predicted right; null without a rotation task. */
  rotationAccuracy: tf.Scalar | null;
}

/** Figures of one training step, read back. */
export interface StepFigures {
  loss: number;
  success: number;
  /** Mean learned temperature; null when the temperature is not learned. */
  temperature: number | null;
  /** Fraction of rotations predicted right; null without a rotation task. */
  rotationAccuracy: number | null;
  /** Value of the `nonFiniteParameterCheck` read with the figures: 0 when every weight is finite, NaN otherwise. */
  parameterCheck: number;
}

/**
 * Reads a step's figures back with one readback of the figures stacked together, and disposes
 * the result's tensors and `parameterCheck`. One readback in place of five saves four waits for
 * the device.
 */
export async function readStepFigures(result: TrainStepResult, parameterCheck: tf.Scalar | null = null): Promise<StepFigures> {
  const { loss, success, temperature, rotationAccuracy } = result;
  const stacked = tf.tidy(() => tf.stack([loss, success, temperature ?? tf.scalar(NaN), rotationAccuracy ?? tf.scalar(NaN), parameterCheck ?? tf.scalar(0)]));
  const values = await stacked.data();
  tf.dispose([stacked, loss, success, temperature ?? [], rotationAccuracy ?? [], parameterCheck ?? []]);
  return {
    loss: values[0] as number,
    success: values[1] as number,
    temperature: temperature === null ? null : (values[2] as number),
    rotationAccuracy: rotationAccuracy === null ? null : (values[3] as number),
    parameterCheck: values[4] as number,
  };
}

/** Held-out games to evaluate: consecutive blocks of batchSize rows. The caller keeps the tensors. */
export interface EvalSet {
  /** Features of the sender's view of each target: [n, featureSize]. */
  senderFeatures: tf.Tensor2D;
  /** Features of the clean candidates: [n, featureSize]. */
  receiverFeatures: tf.Tensor2D;
  /** Class of each image: [n]. */
  labels: ArrayLike<number>;
  /** Quarter turns of each sender image: [n]; null without rotations. */
  quarterTurns: Int32Array | null;
}

/** Metrics of an evaluation, with the rotation accuracy when a rotation task is trained. */
export interface Evaluation extends GameMetrics {
  /** Fraction of held-out rotations predicted right; absent without a rotation task. */
  rotationAccuracy?: number;
}

/** Tensors of a training step that outlive its `tf.tidy`. */
interface StepOutputs {
  success: tf.Scalar | null;
  loss: tf.Scalar | null;
  temperature: tf.Scalar | null;
  rotationAccuracy: tf.Scalar | null;
  receiverLoss: tf.Tensor1D | null;
}

export class ReferentialGame {
  readonly rng: Rng;
  readonly params: ParamStore;
  readonly extractor: FeatureExtractor;
  readonly sender: SenderParams;
  readonly receiver: ReceiverParams;
  readonly rotationHead: RotationHead | null;
  readonly optimizer: tf.AdamOptimizer;
  /** Mean receiver loss that REINFORCE subtracts; saved and restored with the run. */
  readonly baseline = new MeanBaseline();
  private readonly trainableVariables: tf.Variable[];
  /** Variables that training changes: the trainable ones and the batch norms' moving statistics. */
  private readonly changingVariables: tf.Variable[];
  /** Training steps taken. */
  private steps = 0;

  /** `pretrained` contains the extractor's weights when `config.extractor` is 'pretrained-fixed'; the game takes ownership. */
  constructor(
    readonly config: GameConfig,
    pretrained: PretrainedWeights | null = null,
  ) {
    this.rng = new Rng(config.seed);
    this.params = new ParamStore(this.rng);
    this.extractor = createFeatureExtractor(this.params, config.extractor, config.backbone, pretrained);
    this.sender = createSender(this.params, config, this.extractor.featureSize);
    this.receiver = createReceiver(this.params, config, this.extractor.featureSize);
    this.rotationHead = createRotationHead(this.params, config.rotationTask, this.extractor.featureSize, config.hiddenSize);
    this.optimizer = tf.train.adam(config.learningRate, 0.9, 0.999, ADAM_EPSILON);
    this.trainableVariables = this.params.trainable();
    this.changingVariables = [...this.params.variables].filter(([name, variable]) => variable.trainable || /\/moving(Mean|Variance)$/.test(name)).map(([, variable]) => variable);
  }

  /**
   * Returns a scalar that is 0 when every value training changes is finite and NaN otherwise:
   * a finite value times 0 is 0, while an infinite or NaN one gives NaN, which any sum keeps.
   * The caller owns the scalar.
   */
  nonFiniteParameterCheck(): tf.Scalar {
    return tf.tidy(() => tf.addN(this.changingVariables.map((variable) => tf.sum(tf.mul(variable, 0)))) as tf.Scalar);
  }

  /** Makes Adam take its next steps with `learningRate`; its moments and step count are kept. */
  setLearningRate(learningRate: number): void {
    // TF.js 4.22 declares AdamOptimizer's learningRate protected but reads it at every step.
    (this.optimizer as unknown as { learningRate: number }).learningRate = learningRate;
  }

  /** Training steps taken so far. */
  get stepCount(): number {
    return this.steps;
  }

  /** Sets the step count of a game restored from a saved run (it drives annealing and the rotation schedule). */
  restoreStepCount(steps: number): void {
    this.steps = steps;
  }

  /** Maps 0-255 pixels [batch, 32, 32, 3] to image features [batch, featureSize]. */
  features(pixels: tf.Tensor4D): tf.Tensor2D {
    return extractFeatures(this.extractor, pixels);
  }

  /** Temperature of the current step: fixed, annealed, or tau0 of a learned one. */
  temperatureNow(): number {
    const { temperature, minTemperature, annealRate } = this.config;
    switch (this.config.temperatureMode) {
      case 'fixed':
        return temperature;
      case 'annealed':
        return Math.max(minTemperature, temperature * Math.exp(-annealRate * this.steps));
      case 'learned':
        return minTemperature;
    }
  }

  private channelSettings(): ChannelSettings {
    return { channel: this.config.channel, temperature: this.temperatureNow(), learnedTemperature: this.config.temperatureMode === 'learned' };
  }

  /**
   * Plays one batch of games, every image the target of one game, and takes one Adam step.
   * A pixel tensor stands for a batch whose sender and receiver see the same clean images.
   * The caller owns the returned scalars. A `timer` splits the step's time into its parts, at the
   * cost of waiting for each part's results. The step computes the same values with or without it.
   */
  trainStep(input: TrainBatch | tf.Tensor4D, timer: StepPartTimer | null = null): TrainStepResult {
    const batch: TrainBatch = input instanceof tf.Tensor ? { sender: { kind: 'pixels', pixels: input }, receiver: { kind: 'pixels', pixels: input }, quarterTurns: null } : input;
    const size = viewSize(batch.sender);
    const seeds = Array.from({ length: this.config.maxLen }, () => this.rng.seed());
    const collected: BatchStatistics[] = [];
    const outputs: StepOutputs = { success: null, loss: null, temperature: null, rotationAccuracy: null, receiverLoss: null };
    const includesGame = stepIncludesGame(this.config.rotationTask, this.steps);

    tf.tidy(() => {
      // A frozen extractor's features are constants for the gradient, so they are computed outside it.
      const frozen = isExtractorTrainable(this.config.extractor) ? null : this.viewFeatures(batch);
      if (frozen !== null) timer?.lap('extractor', [frozen.sender, frozen.receiver]);
      // Optimizer.minimize's two calls, made here so that a timer can tell the update from the gradient.
      const { value, grads } = this.optimizer.computeGradients(() => {
        const { sender, receiver } = frozen ?? this.trainedViewFeatures(batch, timer);
        const gumbel = seeds.map((seed) => sampleGumbel([size, this.config.vocabSize], seed));
        return this.objective(sender, receiver, gumbel, batch.quarterTurns, includesGame, collected, outputs, timer);
      }, this.trainableVariables);
      timer?.lapBackward(Object.values(grads));
      this.optimizer.applyGradients(this.trainableVariables.map((v) => ({ name: v.name, tensor: grads[v.name] as tf.Tensor })));
      tf.dispose([value, ...Object.values(grads)]);
    });

    updateMovingStatistics(collected);
    if (outputs.receiverLoss !== null) {
      this.baseline.update(outputs.receiverLoss);
      outputs.receiverLoss.dispose();
    }
    timer?.lap('optimiser', this.trainableVariables);
    this.steps++;
    if (outputs.success === null || outputs.loss === null) throw new Error('the training step produced no figures');
    return { loss: outputs.loss, success: outputs.success, temperature: outputs.temperature, rotationAccuracy: outputs.rotationAccuracy };
  }

  /** Features of a learned extractor, marked for a timer's backward pass when there is one. */
  private trainedViewFeatures(batch: TrainBatch, timer: StepPartTimer | null): { sender: tf.Tensor2D; receiver: tf.Tensor2D } {
    const views = this.viewFeatures(batch);
    if (timer === null) return views;
    timer.lap('extractor', [views.sender, views.receiver]);
    const sender = timer.backwardBoundary(views.sender, 'sender', 'extractor');
    return { sender, receiver: views.receiver === views.sender ? sender : timer.backwardBoundary(views.receiver, 'sender', 'extractor') };
  }

  /** Features of both views; computed once when both agents see the same images. */
  private viewFeatures(batch: TrainBatch): { sender: tf.Tensor2D; receiver: tf.Tensor2D } {
    const sender = this.encode(batch.sender);
    return { sender, receiver: batch.receiver === batch.sender ? sender : this.encode(batch.receiver) };
  }

  private encode(view: ImageView): tf.Tensor2D {
    switch (view.kind) {
      case 'features':
        return view.features;
      case 'pixels':
        return this.features(view.pixels);
    }
  }

  /**
   * Returns the loss the optimiser minimises and keeps the step's figures in `outputs`. The loss
   * adds the receiver's loss (hinge, plus 5 x rotation when the receiver predicts it), the
   * sender's 0.5 x rotation when the sender predicts it, and the REINFORCE surrogate under that channel.
   */
  private objective(
    senderFeatures: tf.Tensor2D,
    receiverFeatures: tf.Tensor2D,
    gumbel: tf.Tensor2D[],
    quarterTurns: tf.Tensor1D | null,
    includesGame: boolean,
    collected: BatchStatistics[],
    outputs: StepOutputs,
    timer: StepPartTimer | null = null,
  ): tf.Scalar {
    const sent = sendMessage(this.sender, senderFeatures, { kind: 'sampled', gumbel }, this.channelSettings(), collected);
    const message = timer === null ? sent : markMessage(timer, sent);
    const read = readMessageState(this.receiver, message, collected);
    const reading = timer === null ? read : markReading(timer, read);
    const scores = scoreCandidates(reading.guess, receiverFeatures);
    const gameLoss = hingeLossPerGame(scores);
    outputs.success = tf.keep(batchSuccess(scores));
    outputs.loss = tf.keep(tf.mean(gameLoss) as tf.Scalar);
    if (this.config.temperatureMode === 'learned') outputs.temperature = tf.keep(tf.mean(tf.stack(message.temperatures)) as tf.Scalar);

    let receiverLoss: tf.Tensor1D = includesGame ? gameLoss : tf.zerosLike(gameLoss);
    let senderLoss: tf.Scalar = tf.scalar(0);
    if (this.rotationHead !== null && quarterTurns !== null) {
      const predictor = this.config.rotationTask === 'sender-predicts' ? senderFeatures : reading.hidden;
      const logits = rotationLogits(this.rotationHead, predictor);
      const crossEntropy = rotationCrossEntropy(logits, quarterTurns);
      outputs.rotationAccuracy = tf.keep(rotationAccuracy(logits, quarterTurns));
      if (this.config.rotationTask === 'sender-predicts') senderLoss = tf.mul(SENDER_ROTATION_WEIGHT, tf.mean(crossEntropy));
      else receiverLoss = tf.add(receiverLoss, tf.mul(RECEIVER_ROTATION_WEIGHT, crossEntropy));
    }
    const total = tf.add(tf.mean(receiverLoss), senderLoss) as tf.Scalar;
    if (this.config.channel !== 'reinforce') {
      timer?.lap('loss', [total]);
      return total;
    }
    outputs.receiverLoss = tf.keep(receiverLoss);
    const withReinforce = tf.add(total, this.reinforceTerm(message, receiverLoss)) as tf.Scalar;
    timer?.lap('loss', [withReinforce]);
    return withReinforce;
  }

  private reinforceTerm(message: Message, receiverLoss: tf.Tensor1D): tf.Scalar {
    const logProb = messageLogProb(message.logits, message.tokens, message.alive);
    const entropy = messageEntropy(message.logits, message.alive);
    return reinforceLoss(receiverLoss, logProb, entropy, this.baseline.value, this.config.entropyWeight);
  }

  /**
   * Returns the scores [batch, batch] of the games whose targets are the rows of `features`.
   * With `collected` null (evaluation), the sender emits its most likely tokens and `gumbel` is unused.
   */
  play(features: tf.Tensor2D, gumbel: tf.Tensor2D[], collected: BatchStatistics[] | null, candidates: tf.Tensor2D = features): tf.Tensor2D {
    const message = this.speak(features, gumbel, collected);
    return scoreCandidates(readMessageState(this.receiver, message, collected).guess, candidates);
  }

  /** Runs the sender alone; with `collected` null (evaluation) it emits its most likely tokens. */
  speak(features: tf.Tensor2D, gumbel: tf.Tensor2D[], collected: BatchStatistics[] | null): Message {
    const noise = collected === null ? { kind: 'greedy' as const, maxLen: this.config.maxLen } : { kind: 'sampled' as const, gumbel };
    return sendMessage(this.sender, features, noise, this.channelSettings(), collected);
  }

  /**
   * Plays greedy games (most likely tokens, batch normalisation on its moving averages) on
   * held-out games: consecutive blocks of batchSize images, each image the target of one game
   * whose distractors are the rest of its block. A last partial block is skipped. A features
   * tensor is a set in which the sender's views are the clean candidates. `afterBlock` runs
   * between blocks, so a caller can serve other requests meanwhile; they must not change the game.
   */
  async evaluate(input: EvalSet | tf.Tensor2D, labels: ArrayLike<number> = [], afterBlock: () => Promise<void> = async () => undefined): Promise<Evaluation> {
    const set: EvalSet = input instanceof tf.Tensor ? { senderFeatures: input, receiverFeatures: input, labels, quarterTurns: null } : input;
    const { batchSize } = this.config;
    const outcomes: GameOutcome[] = [];
    let rotationsRight = 0;
    for (let start = 0; start + batchSize <= set.senderFeatures.shape[0]; start += batchSize) {
      const { scores, predicted } = this.evaluateBlock(set, start);
      const values = await scores.data();
      const predictions = predicted === null ? null : await predicted.data();
      tf.dispose([scores, predicted ?? []]);
      outcomes.push(...scoreGames(values, Array.prototype.slice.call(set.labels, start, start + batchSize) as number[]));
      for (let i = 0; predictions !== null && set.quarterTurns !== null && i < batchSize; i++) {
        if (predictions[i] === set.quarterTurns[start + i]) rotationsRight++;
      }
      await afterBlock();
    }
    const metrics = summariseGames(outcomes);
    if (this.rotationHead === null || set.quarterTurns === null) return metrics;
    return { ...metrics, rotationAccuracy: rotationsRight / metrics.games };
  }

  /** Scores [batchSize, batchSize] and predicted rotations [batchSize] of one block of held-out games. */
  private evaluateBlock(set: EvalSet, start: number): { scores: tf.Tensor2D; predicted: tf.Tensor1D | null } {
    const [scores, predicted] = tf.tidy(() => {
      const { batchSize, maxLen } = this.config;
      const senderBlock = tf.slice(set.senderFeatures, [start, 0], [batchSize, -1]);
      const receiverBlock = tf.slice(set.receiverFeatures, [start, 0], [batchSize, -1]);
      const message = sendMessage(this.sender, senderBlock, { kind: 'greedy', maxLen }, this.channelSettings(), null);
      const reading = readMessageState(this.receiver, message, null);
      const blockScores = scoreCandidates(reading.guess, receiverBlock);
      if (this.rotationHead === null) return [blockScores];
      const predictor = this.config.rotationTask === 'sender-predicts' ? senderBlock : reading.hidden;
      return [blockScores, tf.argMax(rotationLogits(this.rotationHead, predictor), 1)];
    }) as [tf.Tensor2D, tf.Tensor1D?];
    return { scores, predicted: predicted ?? null };
  }

  dispose(): void {
    this.optimizer.dispose();
    this.baseline.dispose();
    this.params.dispose();
    disposeExtractor(this.extractor);
  }
}

/** Ends the sender's forward pass on a timer and marks where its backward pass starts. */
function markMessage(timer: StepPartTimer, message: Message): Message {
  timer.lap('sender', message.tokens);
  const mark = (tensors: tf.Tensor2D[]) => tensors.map((t) => timer.backwardBoundary(t, 'receiver', 'sender'));
  return { tokens: mark(message.tokens), alive: mark(message.alive), logits: mark(message.logits), temperatures: mark(message.temperatures) };
}

/** Ends the receiver's forward pass on a timer and marks where its backward pass starts. */
function markReading(timer: StepPartTimer, reading: Reading): Reading {
  timer.lap('receiver', [reading.guess, reading.hidden]);
  return { guess: timer.backwardBoundary(reading.guess, 'loss', 'receiver'), hidden: timer.backwardBoundary(reading.hidden, 'loss', 'receiver') };
}

function viewSize(view: ImageView): number {
  switch (view.kind) {
    case 'features':
      return view.features.shape[0];
    case 'pixels':
      return view.pixels.shape[0];
  }
}

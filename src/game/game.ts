/**
 * The referential game: one sender, one receiver and their shared feature extractor, trained
 * together with Adam on the receiver's hinge loss.
 */
import * as tf from '@tensorflow/tfjs';
import type { GameConfig } from './config';
import { type Message, type ReceiverParams, type SenderParams, createReceiver, createSender, readMessage, scoreCandidates, sendMessage } from './agents';
import { type FeatureExtractor, createFeatureExtractor, extractFeatures, isTrainable } from './featureExtractor';
import { sampleGumbel } from './gumbel';
import { type BatchStatistics, ParamStore, updateMovingStatistics } from './layers';
import { batchSuccess, hingeLoss } from './loss';
import { type GameMetrics, type GameOutcome, scoreGames, summariseGames } from './metrics';
import { Rng } from './random';

/** Adam's epsilon, set explicitly because TF.js lowers its default on 16-bit float backends. */
const ADAM_EPSILON = 1e-8;

/** Figures of one training step, still on the device: read them with `await data()`. */
export interface TrainStepResult {
  loss: tf.Scalar;
  success: tf.Scalar;
}

export class ReferentialGame {
  readonly rng: Rng;
  readonly params: ParamStore;
  readonly extractor: FeatureExtractor;
  readonly sender: SenderParams;
  readonly receiver: ReceiverParams;
  readonly optimizer: tf.AdamOptimizer;
  private readonly trainableVariables: tf.Variable[];

  constructor(readonly config: GameConfig) {
    this.rng = new Rng(config.seed);
    this.params = new ParamStore(this.rng);
    this.extractor = createFeatureExtractor(this.params, config.extractor, config.backbone);
    this.sender = createSender(this.params, config, this.extractor.featureSize);
    this.receiver = createReceiver(this.params, config, this.extractor.featureSize);
    this.optimizer = tf.train.adam(config.learningRate, 0.9, 0.999, ADAM_EPSILON);
    this.trainableVariables = this.params.trainable();
  }

  /** Maps 0-255 pixels [batch, 32, 32, 3] to image features [batch, featureSize]. */
  features(pixels: tf.Tensor4D): tf.Tensor2D {
    return extractFeatures(this.extractor, pixels);
  }

  /**
   * Plays one batch of games, every image the target of one game, and takes one Adam step.
   * The caller owns the returned scalars.
   */
  trainStep(pixels: tf.Tensor4D): TrainStepResult {
    if (isTrainable(this.config.extractor)) throw new Error(`extractor mode ${this.config.extractor} cannot be trained yet`);
    const batch = pixels.shape[0];
    const seeds = Array.from({ length: this.config.maxLen }, () => this.rng.seed());
    const collected: BatchStatistics[] = [];
    let success: tf.Scalar | null = null;

    const loss = tf.tidy(() => {
      // The extractor is frozen: its features are constants for the gradient.
      const features = this.features(pixels);
      return this.optimizer.minimize(
        () => {
          const gumbel = seeds.map((seed) => sampleGumbel([batch, this.config.vocabSize], seed));
          const scores = this.play(features, gumbel, collected);
          success = tf.keep(batchSuccess(scores));
          return hingeLoss(scores);
        },
        true,
        this.trainableVariables,
      ) as tf.Scalar;
    });

    updateMovingStatistics(collected);
    if (success === null) throw new Error('the training step produced no success figure');
    return { loss, success };
  }

  /** Returns the scores [batch, batch] of the games whose targets are the rows of `features`. */
  play(features: tf.Tensor2D, gumbel: tf.Tensor2D[], collected: BatchStatistics[] | null): tf.Tensor2D {
    const message = this.speak(features, gumbel, collected);
    return scoreCandidates(readMessage(this.receiver, message, collected), features);
  }

  /** Runs the sender alone. */
  speak(features: tf.Tensor2D, gumbel: tf.Tensor2D[], collected: BatchStatistics[] | null): Message {
    return sendMessage(this.sender, features, gumbel, this.config.temperature, collected);
  }

  /**
   * Plays greedy games (no Gumbel noise, batch normalisation on its moving averages) on held-out
   * features [n, featureSize]: consecutive blocks of batchSize images, each image the target of
   * one game whose distractors are the rest of its block. A last partial block is skipped.
   */
  async evaluate(features: tf.Tensor2D, labels: ArrayLike<number>): Promise<GameMetrics> {
    const { batchSize, maxLen, vocabSize } = this.config;
    const outcomes: GameOutcome[] = [];
    for (let start = 0; start + batchSize <= features.shape[0]; start += batchSize) {
      const scores = tf.tidy(() => {
        const block = tf.slice(features, [start, 0], [batchSize, -1]);
        const noNoise = Array.from({ length: maxLen }, () => tf.zeros([batchSize, vocabSize]) as tf.Tensor2D);
        return this.play(block, noNoise, null);
      });
      const values = await scores.data();
      scores.dispose();
      outcomes.push(...scoreGames(values, Array.prototype.slice.call(labels, start, start + batchSize) as number[]));
    }
    return summariseGames(outcomes);
  }

  dispose(): void {
    this.optimizer.dispose();
    this.params.dispose();
  }
}

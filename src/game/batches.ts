/**
 * Builds the game's batches from stored images: the sender's augmentation (Gaussian noise or
 * quarter turns, drawn from the run's generator), the clean candidates of the receiver, and the
 * frozen extractor's features read from a `FeatureCache` instead of being recomputed.
 */
import * as tf from '@tensorflow/tfjs';
import { type Augmentation, type RunConfig, isExtractorTrainable } from './config';
import { FeatureCache } from './featureCache';
import type { EvalSet, ImageView, ReferentialGame, TrainBatch } from './game';
import { ROTATIONS, pixelBatch } from './images';
import type { Rng } from './random';

/** Bytes per megabyte of the cache budget. */
const BYTES_PER_MB = 1_000_000;

/** Random draws behind the sender's view of a set of images. */
export interface SenderAugmentation {
  /** Quarter turns of each image; null when images are not rotated. */
  quarterTurns: Int32Array | null;
  /** Seed of the Gaussian pixel noise; null without noise. */
  noiseSeed: number | null;
}

/** Draws the sender's augmentation of `count` images from `rng`. */
export function drawAugmentation(augmentation: Augmentation, count: number, rng: Rng): SenderAugmentation {
  switch (augmentation) {
    case 'none':
      return { quarterTurns: null, noiseSeed: null };
    case 'noise':
      return { quarterTurns: null, noiseSeed: rng.seed() };
    case 'rotation':
      return { quarterTurns: Int32Array.from({ length: count }, () => rng.int(ROTATIONS)), noiseSeed: null };
  }
}

/** Adds Gaussian noise of standard deviation `std` (0-1 pixel scale) to 0-255 pixels, clipped to 0-255. */
export function addPixelNoise(pixels: tf.Tensor4D, std: number, seed: number): tf.Tensor4D {
  return tf.tidy(() => tf.clipByValue(tf.add(pixels, tf.randomNormal(pixels.shape, 0, std * 255, 'float32', seed)), 0, 255) as tf.Tensor4D);
}

/** A training batch with the tensors it owns. */
export interface OwnedBatch {
  batch: TrainBatch;
  dispose(): void;
}

/** Builds training batches of one image set for one game. */
export class BatchFeeder {
  /** Cache of frozen features; null for a learned extractor or with the cache off. */
  readonly cache: FeatureCache | null;

  constructor(
    private readonly game: ReferentialGame,
    private readonly config: RunConfig,
    private readonly pixels: Uint8Array,
  ) {
    const storage = config.featureCache;
    const frozen = !isExtractorTrainable(config.extractor);
    this.cache = frozen && storage !== 'off' ? new FeatureCache(game.extractor.featureSize, storage, config.featureCacheMB * BYTES_PER_MB) : null;
  }

  /** Builds the batch whose targets are images `indices`, drawing augmentation from the game's generator. */
  async next(indices: ArrayLike<number>): Promise<OwnedBatch> {
    const augmentation = drawAugmentation(this.config.augmentation, indices.length, this.game.rng);
    const owned: tf.Tensor[] = [];
    const own = <T extends tf.Tensor>(tensor: T): T => {
      owned.push(tensor);
      return tensor;
    };
    const quarterTurns = augmentation.quarterTurns === null ? null : own(tf.tensor1d(augmentation.quarterTurns, 'int32'));
    const views = isExtractorTrainable(this.config.extractor) ? this.pixelViews(indices, augmentation, own) : await this.featureViews(indices, augmentation, own);
    return { batch: { ...views, quarterTurns }, dispose: () => tf.dispose(owned) };
  }

  /** Pixels for a learned extractor, which encodes them inside the training step. */
  private pixelViews(indices: ArrayLike<number>, augmentation: SenderAugmentation, own: <T extends tf.Tensor>(t: T) => T): { sender: ImageView; receiver: ImageView } {
    const receiver: ImageView = { kind: 'pixels', pixels: own(pixelBatch(this.pixels, indices)) };
    if (augmentation.quarterTurns !== null) return { sender: { kind: 'pixels', pixels: own(pixelBatch(this.pixels, indices, augmentation.quarterTurns)) }, receiver };
    if (augmentation.noiseSeed !== null) return { sender: { kind: 'pixels', pixels: own(addPixelNoise(receiver.pixels, this.config.noiseStd, augmentation.noiseSeed)) }, receiver };
    return { sender: receiver, receiver };
  }

  /** Features for a frozen extractor: cached per image and rotation, except noisy images, which never repeat. */
  private async featureViews(indices: ArrayLike<number>, augmentation: SenderAugmentation, own: <T extends tf.Tensor>(t: T) => T): Promise<{ sender: ImageView; receiver: ImageView }> {
    const receiver: ImageView = { kind: 'features', features: own(await this.cachedFeatures(indices, null)) };
    if (augmentation.quarterTurns !== null) return { sender: { kind: 'features', features: own(await this.cachedFeatures(indices, augmentation.quarterTurns)) }, receiver };
    if (augmentation.noiseSeed !== null) {
      const seed = augmentation.noiseSeed;
      const noisy = tf.tidy(() => this.game.features(addPixelNoise(pixelBatch(this.pixels, indices), this.config.noiseStd, seed)));
      return { sender: { kind: 'features', features: own(noisy) }, receiver };
    }
    return { sender: receiver, receiver };
  }

  /**
   * Returns the features of images `indices` turned `quarterTurns` times: [n, featureSize]. Entries
   * missing from the cache are computed in one pass, stored, and then read back from the cache, so
   * an image gives the same values on every visit.
   */
  async cachedFeatures(indices: ArrayLike<number>, quarterTurns: ArrayLike<number> | null): Promise<tf.Tensor2D> {
    const turnsOf = (b: number): number => (quarterTurns === null ? 0 : (quarterTurns[b] as number));
    if (this.cache === null) return tf.tidy(() => this.game.features(pixelBatch(this.pixels, indices, quarterTurns ?? undefined)));
    const cache = this.cache;
    const size = cache.featureSize;
    const keys = Array.from({ length: indices.length }, (_, b) => (indices[b] as number) * ROTATIONS + turnsOf(b));
    const missing = keys.flatMap((key, b) => (cache.has(key) ? [] : [b]));
    const values = new Float32Array(indices.length * size);
    if (missing.length > 0) {
      const computed = tf.tidy(() => this.game.features(pixelBatch(this.pixels, missing.map((b) => indices[b] as number), missing.map(turnsOf))));
      const computedValues = await computed.data();
      computed.dispose();
      for (const [row, b] of missing.entries()) {
        const entry = computedValues.subarray(row * size, (row + 1) * size) as Float32Array;
        if (!cache.write(keys[b] as number, entry)) values.set(entry, b * size);
      }
    }
    for (const [b, key] of keys.entries()) cache.read(key, values, b * size);
    return tf.tensor2d(values, [indices.length, size]);
  }
}

/** Held-out games drawn once per run, so that every evaluation replays the same games. */
export interface EvalPlan {
  /** Test-split index of each game's target, a multiple of batchSize of them. */
  indices: Int32Array;
  labels: number[];
  /** The sender's view of each target, drawn like a training batch's. */
  augmentation: SenderAugmentation;
}

/**
 * Computes the features of the held-out games: the sender's augmented view and the clean
 * candidates, block by block. The caller owns the returned tensors.
 */
export function evalSetOf(game: ReferentialGame, pixels: Uint8Array, plan: EvalPlan, noiseStd: number): EvalSet {
  const blockSize = game.config.batchSize;
  const senderBlocks: tf.Tensor2D[] = [];
  const receiverBlocks: tf.Tensor2D[] = [];
  const { quarterTurns, noiseSeed } = plan.augmentation;
  for (let start = 0; start < plan.indices.length; start += blockSize) {
    const indices = plan.indices.subarray(start, start + blockSize);
    tf.tidy(() => {
      const clean = pixelBatch(pixels, indices);
      const receiver = tf.keep(game.features(clean));
      receiverBlocks.push(receiver);
      if (quarterTurns !== null) senderBlocks.push(tf.keep(game.features(pixelBatch(pixels, indices, quarterTurns.subarray(start, start + blockSize)))));
      else if (noiseSeed !== null) senderBlocks.push(tf.keep(game.features(addPixelNoise(clean, noiseStd, noiseSeed + start))));
      else senderBlocks.push(receiver);
    });
  }
  const receiverFeatures = tf.concat(receiverBlocks);
  const same = senderBlocks.every((block, i) => block === receiverBlocks[i]);
  const senderFeatures = same ? receiverFeatures : tf.concat(senderBlocks);
  tf.dispose([...new Set([...senderBlocks, ...receiverBlocks])]);
  return { senderFeatures, receiverFeatures, labels: plan.labels, quarterTurns };
}

/** Releases an evaluation set's tensors, once each. */
export function disposeEvalSet(set: EvalSet): void {
  tf.dispose([...new Set([set.senderFeatures, set.receiverFeatures])]);
}

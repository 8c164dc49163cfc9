/**
 * Replays games with a trained pair of agents to look at them: the sender's messages and the
 * receiver's scores, read back, in the same greedy setting as `ReferentialGame.evaluate`
 * (no Gumbel noise, batch normalisation on its moving averages).
 *
 * Each function computes all its blocks in one synchronous pass before it reads anything back, so
 * a training run that steps while the results are read cannot change the parameters halfway.
 */
import * as tf from '@tensorflow/tfjs';
import { EOS_TOKEN } from './config';
import type { ReferentialGame } from './game';
import { pixelBatch } from './images';
import { matMul } from './matmul';

/** Messages and scores of replayed games, read back. */
export interface ReplayedGames {
  /** Token ids of each game's message, end-of-sequence included when emitted: [games][<= maxLen]. */
  tokens: number[][];
  /**
   * Scores of each block of `blockSize` games: block b holds the row-major [blockSize, blockSize]
   * scores of games b * blockSize onwards, game i's candidates being the images of its block.
   */
  scores: Float32Array[];
}

function noNoise(game: ReferentialGame, rows: number): tf.Tensor2D[] {
  return Array.from({ length: game.config.maxLen }, () => tf.zeros([rows, game.config.vocabSize]) as tf.Tensor2D);
}

/** Token ids [maxLen, rows] (int32) of the sender's greedy messages about the feature rows. */
function greedyTokenIds(game: ReferentialGame, features: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const message = game.speak(features, noNoise(game, features.shape[0]), null);
    return tf.stack(message.tokens.map((token) => tf.argMax(token, 1))) as tf.Tensor2D;
  });
}

/**
 * Splits token ids read back from [maxLen, rows] into one message per row, dropping every token
 * after the first end-of-sequence token, as `messageTokenIds` does.
 */
function messagesOf(ids: ArrayLike<number>, maxLen: number, rows: number): number[][] {
  const messages: number[][] = [];
  for (let row = 0; row < rows; row++) {
    const tokens: number[] = [];
    for (let position = 0; position < maxLen; position++) {
      const id = ids[position * rows + row] as number;
      tokens.push(id);
      if (id === EOS_TOKEN) break;
    }
    messages.push(tokens);
  }
  return messages;
}

/** Returns the row ranges [start, size] of consecutive blocks of at most `blockSize` rows. */
function blocksOf(rows: number, blockSize: number): [number, number][] {
  const blocks: [number, number][] = [];
  for (let start = 0; start < rows; start += blockSize) blocks.push([start, Math.min(blockSize, rows - start)]);
  return blocks;
}

/**
 * Replays the games of consecutive blocks of `blockSize` images, like `ReferentialGame.evaluate`:
 * each image is the target of one game whose distractors are the rest of its block. The sender
 * reads `senderFeatures` and the receiver ranks `receiverFeatures`, both [games, featureSize] with
 * games a multiple of `blockSize`. They are the same tensor when the sender gets clean images.
 * The caller keeps both tensors.
 */
export async function replayGames(
  game: ReferentialGame,
  senderFeatures: tf.Tensor2D,
  receiverFeatures: tf.Tensor2D,
  blockSize: number,
): Promise<ReplayedGames> {
  const games = senderFeatures.shape[0];
  if (games % blockSize !== 0) throw new Error(`${games} games do not split into blocks of ${blockSize}`);
  if (receiverFeatures.shape[0] !== games) {
    throw new Error(`expected one candidate per sender image, found ${games} sender images and ${receiverFeatures.shape[0]} candidates`);
  }

  const [scores, ids] = tf.tidy(() => {
    const scoreBlocks: tf.Tensor2D[] = [];
    const idBlocks: tf.Tensor2D[] = [];
    for (const [start, size] of blocksOf(games, blockSize)) {
      const senderBlock = tf.slice(senderFeatures, [start, 0], [size, -1]);
      const receiverBlock = tf.slice(receiverFeatures, [start, 0], [size, -1]);
      // The scores come from `play` itself, so they are the ones evaluation ranks.
      scoreBlocks.push(tf.tidy(() => game.play(senderBlock, noNoise(game, size), null, receiverBlock)));
      idBlocks.push(greedyTokenIds(game, senderBlock));
    }
    return [tf.concat(scoreBlocks), tf.concat(idBlocks, 1)];
  });

  try {
    const [scoreValues, idValues] = await Promise.all([scores.data(), ids.data()]);
    const blockScores = blocksOf(games, blockSize).map(([start]) => (scoreValues as Float32Array).slice(start * blockSize, (start + blockSize) * blockSize));
    return { tokens: messagesOf(idValues, game.config.maxLen, games), scores: blockScores };
  } finally {
    tf.dispose([scores, ids]);
  }
}

/** Reads back the sender's greedy message about every image, computed in blocks of `blockSize` rows. */
export async function sendGreedyMessages(game: ReferentialGame, features: tf.Tensor2D, blockSize: number): Promise<number[][]> {
  const rows = features.shape[0];
  const ids = tf.tidy(() => {
    const idBlocks = blocksOf(rows, blockSize).map(([start, size]) => greedyTokenIds(game, tf.slice(features, [start, 0], [size, -1])));
    return tf.concat(idBlocks, 1);
  });
  try {
    return messagesOf(await ids.data(), game.config.maxLen, rows);
  } finally {
    ids.dispose();
  }
}

/**
 * Extracts the features of images of a pixel store (interleaved HWC bytes, image i at i * 3072)
 * in blocks of `blockSize`: [indices.length, featureSize]. The caller owns the result.
 */
export function featuresOfImages(game: ReferentialGame, pixels: Uint8Array, indices: ArrayLike<number>, blockSize: number): tf.Tensor2D {
  const blocks: tf.Tensor2D[] = [];
  for (let start = 0; start < indices.length; start += blockSize) {
    const slice = Array.prototype.slice.call(indices, start, Math.min(start + blockSize, indices.length)) as number[];
    blocks.push(
      tf.tidy(() => {
        const batch = pixelBatch(pixels, slice);
        return game.features(batch);
      }),
    );
  }
  const all = tf.concat(blocks);
  tf.dispose(blocks);
  return all;
}

/**
 * Reads back the cosine distances (1 - cosine similarity) between the feature rows `rows` of
 * `features`: row-major [rows.length, rows.length]. A zero feature vector is at distance 1 from
 * every other vector.
 */
export async function cosineDistanceMatrix(features: tf.Tensor2D, rows: readonly number[]): Promise<Float32Array> {
  const distances = tf.tidy(() => {
    const picked = tf.gather(features, tf.tensor1d([...rows], 'int32')) as tf.Tensor2D;
    const norms = tf.maximum(tf.norm(picked, 'euclidean', 1, true), 1e-12);
    const unit = tf.div(picked, norms) as tf.Tensor2D;
    // An explicit transpose keeps the product on wasm's fast kernel (see matmul.ts).
    return tf.sub(1, matMul(unit, tf.transpose(unit)));
  });
  const values = await distances.data();
  distances.dispose();
  return values as Float32Array;
}

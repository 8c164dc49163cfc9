import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { messageTokenIds } from './agents';
import { EOS_TOKEN, type GameConfig } from './config';
import { ReferentialGame } from './game';
import { IMAGE_BYTES, pixelBatch } from './images';
import { cosineDistances } from './language';
import { scoreGames, summariseGames } from './metrics';
import { TINY_CONFIG, randomImages } from '../testing/fixtures';
import { cosineDistanceMatrix, featuresOfImages, replayGames, sendGreedyMessages } from './replay';

const CONFIG: GameConfig = { ...TINY_CONFIG, vocabSize: 6, maxLen: 3, seed: 21 };
const IMAGES = 24;

function randomPixels(count: number, seed: number): Uint8Array {
  return randomImages(count, seed).pixels;
}

async function trainedGame(pixels: Uint8Array): Promise<ReferentialGame> {
  const game = new ReferentialGame(CONFIG);
  for (let step = 0; step < 3; step++) {
    const batch = pixelBatch(pixels, game.rng.permutation(IMAGES).subarray(0, CONFIG.batchSize));
    const view = { kind: 'pixels', pixels: batch } as const;
    const result = game.trainStep({ sender: view, receiver: view, quarterTurns: null });
    await result.loss.data();
    tf.dispose([batch, result.loss, result.success, result.temperature ?? [], result.rotationAccuracy ?? []]);
  }
  return game;
}

describe('replayGames', () => {
  it('ranks targets exactly as evaluation does', async () => {
    const pixels = randomPixels(IMAGES, 1);
    const labels = Array.from({ length: IMAGES }, (_, i) => i % 3);
    const game = await trainedGame(pixels);
    const features = featuresOfImages(game, pixels, Array.from({ length: IMAGES }, (_, i) => i), 10);
    const before = tf.memory().numTensors;

    const replayed = await replayGames(game, features, features, CONFIG.batchSize);
    expect(tf.memory().numTensors).toBe(before);
    expect(replayed.scores).toHaveLength(3);
    expect(replayed.tokens).toHaveLength(IMAGES);
    const outcomes = replayed.scores.flatMap((scores, block) =>
      scoreGames(scores, labels.slice(block * CONFIG.batchSize, (block + 1) * CONFIG.batchSize)),
    );
    const metrics = await game.evaluate(features, labels);
    expect(summariseGames(outcomes)).toEqual(metrics);

    features.dispose();
    game.dispose();
  });

  it('ranks like evaluation when the sender sees other images than the candidates', async () => {
    const pixels = randomPixels(IMAGES, 3);
    const labels = Array.from({ length: IMAGES }, (_, i) => i % 4);
    const game = await trainedGame(pixels);
    const all = Array.from({ length: IMAGES }, (_, i) => i);
    const receiverFeatures = featuresOfImages(game, pixels, all, 8);
    const senderFeatures = featuresOfImages(game, pixels, all.map((i) => (i + 1) % IMAGES), 8);

    const replayed = await replayGames(game, senderFeatures, receiverFeatures, CONFIG.batchSize);
    const outcomes = replayed.scores.flatMap((scores, block) =>
      scoreGames(scores, labels.slice(block * CONFIG.batchSize, (block + 1) * CONFIG.batchSize)),
    );
    const metrics = await game.evaluate({ senderFeatures, receiverFeatures, labels, quarterTurns: null });
    expect(summariseGames(outcomes)).toEqual(metrics);
    expect(replayed.tokens).toEqual(await sendGreedyMessages(game, senderFeatures, 8));
    tf.dispose([senderFeatures, receiverFeatures]);
    game.dispose();
  });

  it('sends the same messages in any block size', async () => {
    const pixels = randomPixels(IMAGES, 2);
    const game = await trainedGame(pixels);
    const features = featuresOfImages(game, pixels, Array.from({ length: IMAGES }, (_, i) => i), 8);
    const before = tf.memory().numTensors;

    const messages = await sendGreedyMessages(game, features, 5);
    expect(tf.memory().numTensors).toBe(before);
    expect(messages).toEqual((await replayGames(game, features, features, CONFIG.batchSize)).tokens);
    const message = tf.tidy(() => {
      const { tokens, alive, logits, temperatures } = game.speak(features, Array.from({ length: CONFIG.maxLen }, () => tf.zeros([IMAGES, CONFIG.vocabSize]) as tf.Tensor2D), null);
      return { tokens, alive, logits, temperatures };
    });
    expect(messages).toEqual(await messageTokenIds(message));
    tf.dispose([...message.tokens, ...message.alive, ...message.logits, ...message.temperatures]);
    for (const tokens of messages) {
      expect(tokens.length).toBeGreaterThanOrEqual(1);
      expect(tokens.length).toBeLessThanOrEqual(CONFIG.maxLen);
      // Only the last token may end the message.
      expect(tokens.slice(0, -1)).not.toContain(EOS_TOKEN);
    }
    features.dispose();
    game.dispose();
  });

  it('rejects games that do not fill whole blocks', async () => {
    const game = new ReferentialGame(CONFIG);
    const features = tf.zeros([10, 64]) as tf.Tensor2D;
    await expect(replayGames(game, features, features, 8)).rejects.toThrow(/10 games do not split into blocks of 8/);
    features.dispose();
    game.dispose();
  });
});

describe('cosineDistanceMatrix', () => {
  it('matches the distances computed in plain TypeScript', async () => {
    const rows = [
      [1, 0, 2],
      [0, 3, 0],
      [2, 0, 4],
      [0, 0, 0],
    ];
    const features = tf.tensor2d(rows);
    const distances = await cosineDistanceMatrix(features, [0, 1, 2, 3]);
    const expected = cosineDistances(rows);
    for (const [i, value] of distances.entries()) {
      expect(value).toBeCloseTo(expected[i] as number, 5);
    }
    expect(Array.from(await cosineDistanceMatrix(features, [2, 0]))).toEqual([expect.closeTo(0, 5), expect.closeTo(0, 5), expect.closeTo(0, 5), expect.closeTo(0, 5)]);
    features.dispose();
  });
});

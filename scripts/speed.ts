/**
 * Measures training speed of the referential game on TF.js' wasm backend in Node, which runs the
 * same kernels at the same speed as the browser's wasm backend.
 *
 * Usage: npm run speed -- [--steps N] [--backbone vgg16|narrow] [--batch N]
 * Prints games per second (median and range over the timed steps) after 2 warm-up steps.
 * Pixels are random: the speed of a step does not depend on image content.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Backbone, DEFAULT_RUN_CONFIG } from '../src/game/config';
import { ReferentialGame } from '../src/game/game';
import { IMAGE_BYTES, pixelBatch } from '../src/game/images';
import { Rng } from '../src/game/random';

const WARMUP_STEPS = 2;

async function measure(backbone: Backbone, batchSize: number, steps: number): Promise<number[]> {
  const game = new ReferentialGame({ ...DEFAULT_RUN_CONFIG, backbone, batchSize });
  const rng = new Rng(1);
  const pixels = Uint8Array.from({ length: batchSize * IMAGE_BYTES }, () => rng.int(256));
  const indices = Array.from({ length: batchSize }, (_, i) => i);
  const gamesPerSecond: number[] = [];
  for (let step = 0; step < WARMUP_STEPS + steps; step++) {
    const started = performance.now();
    const batch = pixelBatch(pixels, indices);
    const { loss, success } = game.trainStep(batch);
    await Promise.all([loss.data(), success.data()]);
    tf.dispose([batch, loss, success]);
    if (step >= WARMUP_STEPS) gamesPerSecond.push((batchSize * 1000) / (performance.now() - started));
  }
  game.dispose();
  return gamesPerSecond.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string', default: '5' },
      backbone: { type: 'string', multiple: true, default: ['narrow', 'vgg16'] },
      batch: { type: 'string', default: String(DEFAULT_RUN_CONFIG.batchSize) },
    },
  });
  setWasmPaths(path.resolve('node_modules/@tensorflow/tfjs-backend-wasm/dist') + path.sep);
  await tf.setBackend('wasm');
  const steps = Number(values.steps);
  const batchSize = Number(values.batch);
  console.log(`backend ${tf.getBackend()}, batch ${batchSize}, ${steps} timed steps after ${WARMUP_STEPS} warm-up steps`);
  for (const backbone of values.backbone as Backbone[]) {
    const figures = await measure(backbone, batchSize, steps);
    const median = figures[Math.floor(figures.length / 2)] ?? NaN;
    const range = `${(figures[0] ?? NaN).toFixed(1)}-${(figures[figures.length - 1] ?? NaN).toFixed(1)}`;
    console.log(`${backbone.padEnd(7)} ${median.toFixed(1)} games/s (median; range ${range})`);
  }
}

await main();

import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { DEFAULT_RUN_CONFIG, type RunConfig } from '../src/game/config';
import { parseCifar10Batch } from '../src/data/cifar10';
import { TrainingRun } from '../src/worker/run';
import type { WorkerEvent } from '../src/worker/protocol';

setWasmPaths(path.resolve('node_modules/@tensorflow/tfjs-backend-wasm/dist') + path.sep);
await tf.setBackend('wasm');
const dir = '../shared/cifar10/cifar-10-batches-bin';
const train = parseCifar10Batch(new Uint8Array(await readFile(path.join(dir, 'data_batch_1.bin'))), 'data_batch_1.bin');
const test = parseCifar10Batch(new Uint8Array(await readFile(path.join(dir, 'test_batch.bin'))), 'test_batch.bin');
const config: RunConfig = { ...DEFAULT_RUN_CONFIG, backbone: 'narrow', backend: 'wasm', evalInterval: 50, seed: 1, maxSteps: Number(process.env.STEPS ?? 320) };
const run = new TrainingRun(config, { train, test }, (e: WorkerEvent) => {
  if (e.type === 'eval') console.log('eval', e.record.step, e.record.commSuccess.toFixed(3));
  if (e.type === 'language') console.log('language', e.report.step, e.report.distinctMessages, e.report.hashingIndex.toFixed(2));
  if (e.type === 'steps') { const r = e.records.at(-1); if (r && r.step % 25 === 0) console.log('step', r.step, r.loss.toFixed(3), r.trainSuccess.toFixed(3)); }
  if (e.type === 'error') console.log('error', e.message);
});
await run.run();

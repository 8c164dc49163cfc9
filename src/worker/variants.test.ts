import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunConfig } from '../game/config';
import { TINY_CONFIG, randomImages } from '../testing/fixtures';
import { vggWeightShapes } from '../game/featureExtractor';
import { type NamedWeight, type PretrainedWeights, loadPretrained } from '../game/pretrained';
import { Rng } from '../game/random';
import type { EvalRecord, StepRecord, WorkerEvent } from './protocol';
import { TrainingRun } from './run';

/** Every part of the game at toy sizes, on the narrow backbone. */
const TINY: RunConfig = { ...TINY_CONFIG, evalInterval: 2, maxSteps: 3, seed: 4 };

/** Random VGG weights of the narrow layout, standing in for ImageNet ones. */
function narrowPretrained(): PretrainedWeights {
  const rng = new Rng(9);
  const weights = new Map<string, NamedWeight>();
  for (const [name, shape] of vggWeightShapes('narrow')) {
    const size = shape.reduce((a, b) => a * b, 1);
    weights.set(name, { shape, values: rng.normalArray(size, name.endsWith('bias') ? 0.01 : Math.sqrt(2 / (size / (shape[shape.length - 1] as number)))) });
  }
  return { backbone: 'narrow', weights };
}

/** Reads the shared MobileNetV2 copy, as the setup command would serve it. */
async function mobileNetPretrained(): Promise<PretrainedWeights> {
  const folder = path.resolve(import.meta.dirname, '../../../shared/weights');
  return loadPretrained('mobilenetv2', async (relativePath) => {
    const bytes = await readFile(path.join(folder, relativePath));
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  });
}

async function runToEnd(config: RunConfig, pretrained: PretrainedWeights | null = null): Promise<{ steps: StepRecord[]; evals: EvalRecord[]; errors: string[] }> {
  const events: WorkerEvent[] = [];
  const data = { train: randomImages(24, 1), test: randomImages(16, 2) };
  await new TrainingRun(config, data, (event) => events.push(event), pretrained).run();
  return {
    steps: events.flatMap((event) => (event.type === 'steps' ? event.records : [])),
    evals: events.flatMap((event) => (event.type === 'eval' ? [event.record] : [])),
    errors: events.flatMap((event) => (event.type === 'error' ? [event.message] : [])),
  };
}

const VARIANTS: [string, Partial<RunConfig>][] = [
  ['random frozen, clean', {}],
  ['learned, clean', { extractor: 'learned' }],
  ['learned, noise', { extractor: 'learned', augmentation: 'noise', noiseStd: 0.2 }],
  ['learned, rotations', { extractor: 'learned', augmentation: 'rotation' }],
  ['random frozen, noise', { augmentation: 'noise' }],
  ['random frozen, rotations, float32 cache', { augmentation: 'rotation', featureCache: 'float32' }],
  ['random frozen, no cache', { featureCache: 'off' }],
  ['sender predicts rotation', { augmentation: 'rotation', rotationTask: 'sender-predicts' }],
  ['receiver predicts rotation', { augmentation: 'rotation', rotationTask: 'receiver-predicts' }],
  ['relaxed Gumbel-softmax', { channel: 'gumbel-relaxed' }],
  ['REINFORCE', { channel: 'reinforce' }],
  ['REINFORCE, receiver predicts rotation', { channel: 'reinforce', augmentation: 'rotation', rotationTask: 'receiver-predicts' }],
  ['annealed temperature', { temperatureMode: 'annealed', temperature: 2, minTemperature: 0.5, annealRate: 0.5 }],
  ['learned temperature', { temperatureMode: 'learned', temperature: 1.5, minTemperature: 0.5 }],
];

describe('training variants', () => {
  it.each(VARIANTS)('%s trains and evaluates', async (_, settings) => {
    const config = { ...TINY, ...settings };
    const before = tf.memory().numTensors;
    const { steps, evals, errors } = await runToEnd(config);

    expect(errors).toEqual([]);
    expect(steps.map((record) => record.step)).toEqual([1, 2, 3]);
    expect(steps.every((record) => Number.isFinite(record.loss))).toBe(true);
    expect(evals.map((record) => record.step)).toEqual([0, 2, 3]);
    const predictsRotation = config.rotationTask !== 'none';
    expect(evals.every((record) => (record.rotationAccuracy !== undefined) === predictsRotation)).toBe(true);
    expect(steps.every((record) => (record.rotationAccuracy !== undefined) === predictsRotation)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('records the annealed and learned temperatures', async () => {
    const annealed = await runToEnd({ ...TINY, temperatureMode: 'annealed', temperature: 2, minTemperature: 0.5, annealRate: 0.5 });
    expect(annealed.steps.map((record) => record.temperature)).toEqual([2, 2 * Math.exp(-0.5), 2 * Math.exp(-1)]);
    const learned = await runToEnd({ ...TINY, temperatureMode: 'learned', temperature: 1.5, minTemperature: 0.5 });
    // The temperature head starts at the configured temperature, then learns.
    expect(learned.steps[0]?.temperature).toBeCloseTo(1.5, 5);
    expect(learned.steps.every((record) => (record.temperature ?? 0) > 0.5)).toBe(true);
  });

  it('trains on pretrained VGG weights', async () => {
    const { errors, evals } = await runToEnd({ ...TINY, extractor: 'pretrained-fixed' }, narrowPretrained());
    expect(errors).toEqual([]);
    expect(evals).toHaveLength(3);
  });

  it('trains on pretrained MobileNetV2', async () => {
    const before = tf.memory().numTensors;
    const { errors, evals } = await runToEnd({ ...TINY, extractor: 'pretrained-fixed', backbone: 'mobilenetv2', augmentation: 'rotation', rotationTask: 'sender-predicts' }, await mobileNetPretrained());
    expect(errors).toEqual([]);
    expect(evals.at(-1)?.rotationAccuracy).toBeGreaterThanOrEqual(0);
    expect(tf.memory().numTensors).toBe(before);
  });
});

import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../src/data/test-helpers';
import { DEFAULT_RUN_CONFIG } from '../src/game/config';
import { kerasConvNames } from '../src/game/featureExtractor';
import { ReferentialGame } from '../src/game/game';
import { loadNamedWeights } from '../src/game/pretrained';
import { diskWeightReader } from './experiment';
import { writeKerasVggFixture } from './keras-fixture';
import { FC1_POSITIONS, KerasWeightsError, VGG16_WEIGHT_LAYERS, readKerasVgg16 } from './keras-vgg16';
import { setupWeights } from './setup-weights';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const temp = await makeTempDir('keras-vgg16-test');
  cleanups.push(temp.remove);
  return temp.dir;
}

/** Sums the 49 row blocks of an unfolded fc1 kernel [49 * channels, units]. */
function foldByHand(values: Float32Array, channels: number, units: number): Float32Array {
  const folded = new Float32Array(channels * units);
  for (let position = 0; position < FC1_POSITIONS; position++) {
    for (let i = 0; i < channels * units; i++) folded[i] = (folded[i] as number) + (values[position * channels * units + i] as number);
  }
  return folded;
}

describe('readKerasVgg16', () => {
  it.each(['keras2', 'keras1'] as const)('reads every layer of a %s file', async (naming) => {
    const file = path.join(await tempDir(), 'vgg16.h5');
    const written = await writeKerasVggFixture(file, naming);

    const weights = await readKerasVgg16(file);

    expect(VGG16_WEIGHT_LAYERS).toEqual([...kerasConvNames().filter((name) => name !== null), 'fc1', 'fc2']);
    expect([...weights.keys()]).toEqual(VGG16_WEIGHT_LAYERS.flatMap((layer) => [`${layer}/kernel`, `${layer}/bias`]));
    for (const layer of VGG16_WEIGHT_LAYERS.filter((name) => name !== 'fc1')) {
      expect(weights.get(`${layer}/kernel`)).toEqual(written.get(`${layer}/kernel`));
      expect(weights.get(`${layer}/bias`)).toEqual(written.get(`${layer}/bias`));
    }
    const fc1 = written.get('fc1/kernel') ?? expect.unreachable();
    expect(fc1.shape).toEqual([49 * 64, 512]);
    const folded = weights.get('fc1/kernel') ?? expect.unreachable();
    expect(folded.shape).toEqual([64, 512]);
    const expected = foldByHand(fc1.values, 64, 512);
    for (const i of [0, 1, 511, 512, 20_000, 64 * 512 - 1]) expect(folded.values[i]).toBeCloseTo(expected[i] as number, 4);
  });

  it('names a missing layer', async () => {
    const h5wasm = (await import('h5wasm/node')).default;
    // A weights file of another network lacks VGG16's layers.
    const other = path.join(await tempDir(), 'other.h5');
    const handle = new h5wasm.File(other, 'w');
    handle.create_group('dense_1');
    handle.close();
    await expect(readKerasVgg16(other)).rejects.toThrow(KerasWeightsError);
    await expect(readKerasVgg16(other)).rejects.toThrow(/layer block1_conv1 is missing/);
  });
});

describe('VGG16 weights from an .h5 file to the extractor', () => {
  it.each(['float16', 'float32'] as const)('converts, stores in %s and builds the pretrained extractor', async (dtype) => {
    const dir = await tempDir();
    const file = path.join(dir, 'vgg16.h5');
    const written = await writeKerasVggFixture(file, 'keras2', 3);
    await setupWeights({ backbone: 'vgg16', from: file, outDir: path.join(dir, 'weights'), dtype });

    const loaded = await loadNamedWeights(diskWeightReader(path.join(dir, 'weights', 'vgg16')));
    const tolerance = dtype === 'float16' ? 2 ** -11 : 0;
    const kernel = written.get('block2_conv1/kernel') ?? expect.unreachable();
    const stored = loaded.get('block2_conv1/kernel') ?? expect.unreachable();
    for (const [i, value] of kernel.values.entries()) expect(Math.abs((stored.values[i] as number) - value)).toBeLessThanOrEqual(Math.abs(value) * tolerance);

    const game = new ReferentialGame({ ...DEFAULT_RUN_CONFIG, backbone: 'narrow', extractor: 'pretrained-fixed', batchSize: 2 }, { backbone: 'narrow', weights: loaded });
    const names = kerasConvNames();
    for (const [index, name] of names.entries()) {
      if (name === null) continue;
      const variable = game.params.variables.get(`extractor/conv${index}/filter`) ?? expect.unreachable();
      expect(Array.from(variable.dataSync())).toEqual(Array.from(loaded.get(`${name}/kernel`)?.values ?? []));
      expect(variable.trainable).toBe(false);
    }
    const fc6 = game.params.variables.get('extractor/fc6/kernel') ?? expect.unreachable();
    expect(Array.from(fc6.dataSync())).toEqual(Array.from(loaded.get('fc1/kernel')?.values ?? []));
    const features = game.features(tf.fill([2, 32, 32, 3], 128) as tf.Tensor4D);
    expect(features.shape).toEqual([2, 512]);
    expect(Array.from(await features.data()).every(Number.isFinite)).toBe(true);
    features.dispose();
    game.dispose();
  });
});
